package io.kqueue4j.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.linux.ChannelDescriptors.Mechanism;
import java.io.ByteArrayInputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void standardStreamsAreZeroOneTwo() {
    assertEquals(0, ChannelDescriptors.of(FileDescriptor.in));
    assertEquals(1, ChannelDescriptors.of(FileDescriptor.out));
    assertEquals(2, ChannelDescriptors.of(FileDescriptor.err));
  }

  @Test
  void closedOrInvalidOrForeignObjectsAreRefused() throws Exception {
    Pipe pipe = Pipe.open();
    pipe.sink().close();
    pipe.source().close();
    assertThrows(ClosedChannelException.class, () -> ChannelDescriptors.of(pipe.source()));
    assertThrows(IllegalArgumentException.class, () -> ChannelDescriptors.of(new FileDescriptor()));
    var wrapper = Channels.newChannel(new ByteArrayInputStream(new byte[0]));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ChannelDescriptors.of(wrapper));
    assertTrue(
        e.getMessage().startsWith(wrapper.getClass().getName() + " keeps no FileDescriptor field"),
        e.getMessage());
  }

  @Test
  void mechanismIsReflectionExactlyWhenThePackageIsOpen() throws Exception {
    Module self = ChannelDescriptors.class.getModule();
    Mechanism expected =
        Object.class.getModule().isOpen("java.io", self) ? Mechanism.REFLECTION : Mechanism.UNSAFE;
    assertEquals(expected, ChannelDescriptors.mechanism(FileDescriptor.class));
    try (SocketChannel channel = SocketChannel.open()) {
      Mechanism channelExpected =
          Object.class.getModule().isOpen("sun.nio.ch", self)
              ? Mechanism.REFLECTION
              : Mechanism.UNSAFE;
      assertEquals(channelExpected, ChannelDescriptors.mechanism(channel.getClass()));
    }
  }

  @Test
  void freshJvmWithoutFlagsUsesUnsafe() throws Exception {
    ChildJvm run = ChildJvm.run(ChannelDescriptorsMain.class);
    assertEquals("FileDescriptor=UNSAFE channel=UNSAFE fionread=3", run.stdout(), run.stderr());
    if (Runtime.version().feature() >= 24) { // JEP 498: first use of Unsafe memory access warns
      assertTrue(run.stderr().contains("sun.misc.Unsafe::objectFieldOffset"), run.stderr());
    }
  }

  @Test
  void freshJvmWithTheFlagsUsesReflectionAndPrintsNothingElse() throws Exception {
    List<String> flags = List.of(ChannelDescriptors.REQUIRED_FLAGS.split(" "));
    ChildJvm run = ChildJvm.run(ChannelDescriptorsMain.class, flags.toArray(new String[0]));
    assertEquals(
        "FileDescriptor=REFLECTION channel=REFLECTION fionread=3", run.stdout(), run.stderr());
    assertFalse(run.stderr().contains("sun.misc.Unsafe"), run.stderr());
  }

  @Test
  void freshJvmThatDeniesUnsafeIsToldTheFlags() throws Exception {
    assumeTrue(
        Runtime.version().feature() >= 23, "--sun-misc-unsafe-memory-access exists from JDK 23");
    ChildJvm run =
        ChildJvm.run(ChannelDescriptorsMain.class, "--sun-misc-unsafe-memory-access=deny");
    assertTrue(run.stdout().startsWith("unsupported: cannot read "), run.stdout() + run.stderr());
    assertTrue(
        run.stdout().endsWith("; run the JVM with " + ChannelDescriptors.REQUIRED_FLAGS),
        run.stdout());
  }

  private static void awaitAvailable(int fd, int bytes) throws Exception {
    try (Epoll epoll = Epoll.open()) {
      epoll.add(fd, Epoll.EPOLLIN, 0);
      assertEquals(1, epoll.waitEvents(new EpollEventArray(1), 5000));
      assertEquals(bytes, LibC.availableBytes(fd));
    }
  }
}
