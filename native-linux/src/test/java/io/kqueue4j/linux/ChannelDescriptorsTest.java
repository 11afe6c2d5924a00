package io.kqueue4j.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.kqueue4j.spi.ChannelDescriptors;
import java.io.FileInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ChannelDescriptors} (kqueue-core) against Linux itself: the numbers it reads from JDK
 * objects are the descriptors libc, epoll and fstat see. Its portable behaviour is tested in
 * kqueue-core.
 */
@EnabledOnOs(OS.LINUX)
class ChannelDescriptorsTest {

  @TempDir Path dir;

  @Test
  void pipeEndsAreTheRealDescriptors() throws Exception {
    Pipe pipe = Pipe.open();
    try (Pipe.SourceChannel source = pipe.source();
        Pipe.SinkChannel sink = pipe.sink()) {
      int in = ChannelDescriptors.of(source);
      int out = ChannelDescriptors.of(sink);
      assertNotEquals(in, out);
      assertEquals(LibC.O_RDONLY, LibC.fcntl(in, LibC.F_GETFL) & 3);
      assertEquals(LibC.O_WRONLY, LibC.fcntl(out, LibC.F_GETFL) & 3);

      sink.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}));
      assertEquals(5, LibC.availableBytes(in));
      ByteBuffer read = ByteBuffer.allocate(5);
      assertEquals(5, LibC.read(in, read));
      assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, read.array());

      LibC.write(out, ByteBuffer.wrap(new byte[] {9}));
      ByteBuffer back = ByteBuffer.allocate(1);
      assertEquals(1, source.read(back));
      assertEquals(9, back.get(0));
    }
  }

  @Test
  void socketChannelsAreTheRealDescriptors() throws Exception {
    try (ServerSocketChannel server =
            ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Epoll epoll = Epoll.open()) {
      int listening = ChannelDescriptors.of(server);
      epoll.add(listening, Epoll.EPOLLIN, 1);
      assertEquals(0, epoll.waitEvents(new EpollEventArray(1), 0));
      try (SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
        assertEquals(1, epoll.waitEvents(new EpollEventArray(1), 5000), "a pending connection");
        try (SocketChannel accepted = server.accept()) {
          int a = ChannelDescriptors.of(accepted);
          int c = ChannelDescriptors.of(client);
          assertEquals(3, java.util.stream.IntStream.of(listening, a, c).distinct().count());
          client.write(ByteBuffer.wrap(new byte[] {7, 7, 7}));
          awaitAvailable(a, 3);
        }
      }
    }
  }

  @Test
  void datagramChannelIsTheRealDescriptor() throws Exception {
    try (DatagramChannel channel =
        DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      channel.send(ByteBuffer.wrap(new byte[7]), channel.getLocalAddress());
      awaitAvailable(ChannelDescriptors.of(channel), 7);
    }
  }

  @Test
  void fileChannelAndFileDescriptorNameTheFile() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "abc");
    try (FileChannel channel = FileChannel.open(file);
        FileInputStream stream = new FileInputStream(file.toFile())) {
      int viaChannel = ChannelDescriptors.of(channel);
      int viaFd = ChannelDescriptors.of(stream.getFD());
      assertNotEquals(viaChannel, viaFd);
      for (int fd : new int[] {viaChannel, viaFd}) {
        assertEquals(file.toRealPath(), Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)));
        assertEquals(Files.getAttribute(file, "unix:ino"), Stat.fstat(fd).ino());
      }
    }
  }

  private static void awaitAvailable(int fd, int bytes) throws Exception {
    try (Epoll epoll = Epoll.open()) {
      epoll.add(fd, Epoll.EPOLLIN, 0);
      assertEquals(1, epoll.waitEvents(new EpollEventArray(1), 5000));
      assertEquals(bytes, LibC.availableBytes(fd));
    }
  }
}
