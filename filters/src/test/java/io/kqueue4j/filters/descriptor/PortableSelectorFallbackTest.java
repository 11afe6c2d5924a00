package io.kqueue4j.filters.descriptor;

import static io.kqueue4j.KEvent.EVFILT_READ;
import static io.kqueue4j.KEvent.EVFILT_WRITE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_EOF;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import java.io.FileInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The portable fallback, which is what this module uses on its own (no {@code native-linux} on the
 * class path): channel tokens and one JDK {@code Selector}.
 */
class PortableSelectorFallbackTest {
  @TempDir Path dir;
  private KQueue kq;

  @BeforeEach
  void open() throws Exception {
    kq = KQueue.emulated();
  }

  @AfterEach
  void close() {
    kq.close();
  }

  private void add(long ident, short filter, int flags, int fflags, long data) throws Exception {
    kq.kevent(new KEvent[] {KEvent.of(ident, filter, flags, fflags, data, null)}, null,
        Duration.ZERO);
  }

  private KEvent next() throws Exception {
    KEvent[] out = new KEvent[1];
    assertEquals(1, kq.kevent(null, out, Duration.ofSeconds(10)), "an event within 10 s");
    return out[0];
  }

  private KEvent[] poll() throws Exception {
    KEvent[] out = new KEvent[16];
    return Arrays.copyOf(out, kq.kevent(null, out, Duration.ZERO));
  }

  @Test
  void saysItIsTheFallback() {
    assertEquals(SelectorDescriptors.NAME, FileDescriptors.support());
    assertEquals(SelectorReadinessSource.NAME, ReadinessSources.activeName());
    assertTrue(ReadinessSources.isFallback());
  }

  @Test
  void socketReadGivesAvailableBytesThenEof() throws Exception {
    try (ServerSocketChannel listener = ServerSocketChannel.open()) {
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      SocketChannel client = SocketChannel.open(listener.getLocalAddress());
      try (SocketChannel server = listener.accept()) {
        int fd = FileDescriptors.of(server);
        assertTrue(fd >= SelectorDescriptors.FIRST, "a token, not an OS descriptor: " + fd);
        add(fd, EVFILT_READ, EV_ADD, 0, 0);
        assertEquals(0, poll().length);

        client.write(ByteBuffer.allocate(100));
        assertEquals(100, next().data());
        assertEquals(40, server.read(ByteBuffer.allocate(40)));
        KEvent[] events = poll();
        assertEquals(1, events.length);
        assertEquals(60, events[0].data(), "a partial read leaves the rest");

        server.read(ByteBuffer.allocate(60));
        client.close();
        await().atMost(10, SECONDS).until(() -> {
          KEvent[] seen = poll();
          return seen.length == 1 && (seen[0].flags() & EV_EOF) != 0;
        });
      } finally {
        client.close();
      }
    }
  }

  @Test
  void socketWriteGivesTheSendBuffer() throws Exception {
    try (ServerSocketChannel listener = ServerSocketChannel.open()) {
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      try (SocketChannel client = SocketChannel.open(listener.getLocalAddress());
          SocketChannel server = listener.accept()) {
        assertTrue(server.isConnected());
        add(FileDescriptors.of(client), EVFILT_WRITE, EV_ADD, 0, 0);
        KEvent ev = next();
        assertEquals(EVFILT_WRITE, ev.filter());
        assertEquals((long) client.getOption(StandardSocketOptions.SO_SNDBUF), ev.data());
      }
    }
  }

  @Test
  void serverSocketIsReadableWithAConnectionWaiting() throws Exception {
    try (ServerSocketChannel listener = ServerSocketChannel.open()) {
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int fd = FileDescriptors.of(listener);
      add(fd, EVFILT_READ, EV_ADD, 0, 0);
      assertEquals(0, poll().length);
      try (SocketChannel client = SocketChannel.open(listener.getLocalAddress())) {
        assertTrue(client.isConnected());
        KEvent ev = next();
        assertEquals(fd, ev.ident());
        assertEquals(EVFILT_READ, ev.filter());
        assertEquals(1, ev.data(), "the JDK gives no backlog length: 1 while connections wait");
        try (SocketChannel accepted = listener.accept()) {
          assertEquals(client.getLocalAddress(), accepted.getRemoteAddress(), "the waiting one");
          client.write(ByteBuffer.wrap(new byte[] {7, 8}));
          ByteBuffer in = ByteBuffer.allocate(2);
          while (in.hasRemaining()) {
            assertTrue(accepted.read(in) >= 0, "end of stream before the client's bytes");
          }
          assertArrayEquals(new byte[] {7, 8}, in.array());
        }
      }
    }
  }

  @Test
  void pipeEndsFromFileDescriptorsPipe() throws Exception {
    int[] pipe = FileDescriptors.pipe();
    try {
      add(pipe[1], EVFILT_WRITE, EV_ADD, 0, 0);
      assertEquals(EVFILT_WRITE, next().filter());
      add(pipe[0], EVFILT_READ, EV_ADD, 0, 0);
      ((java.nio.channels.WritableByteChannel) SelectorDescriptors.channel(pipe[1]))
          .write(ByteBuffer.allocate(5));
      await().atMost(10, SECONDS).until(() ->
          Arrays.stream(poll()).anyMatch(e -> e.ident() == pipe[0] && e.filter() == EVFILT_READ));
    } finally {
      FileDescriptors.close(pipe[0]);
      FileDescriptors.close(pipe[1]);
    }
  }

  @Test
  void fileDataIsSizeMinusPosition() throws Exception {
    Path file = dir.resolve("f");
    Files.write(file, new byte[30]);
    int fd = FileDescriptors.open(file);
    add(fd, EVFILT_READ, EV_ADD, 0, 0);
    assertEquals(30, next().data());
    FileDescriptors.close(fd);
    assertEquals(0, poll().length, "closing the token drops its knote");
    assertNull(SelectorDescriptors.channel(fd));
  }

  @Test
  void fileDescriptorsAreNotPossibleWithoutNativeHelp() throws Exception {
    Path file = dir.resolve("g");
    Files.write(file, new byte[1]);
    try (FileInputStream in = new FileInputStream(file.toFile())) {
      KQueueException e =
          assertThrows(KQueueException.class, () -> FileDescriptors.of(in.getFD()));
      assertEquals(Errno.EOPNOTSUPP, e.errno());
      assertTrue(e.getMessage().contains("native-linux"), e.getMessage());
    }
  }

  @Test
  void closedTokenIsEbadf() throws Exception {
    int[] pipe = FileDescriptors.pipe();
    FileDescriptors.close(pipe[0]);
    FileDescriptors.close(pipe[1]);
    KEvent[] out = new KEvent[1];
    KEvent change = KEvent.of(pipe[0], EVFILT_READ, EV_ADD, 0, 0, null);
    assertEquals(1, kq.kevent(new KEvent[] {change}, out, Duration.ZERO));
    assertEquals(Errno.EBADF, out[0].data());
  }
}
