package io.kqueue4j.linux.descriptor;

import static io.kqueue4j.KEvent.EVFILT_READ;
import static io.kqueue4j.KEvent.EVFILT_WRITE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_EOF;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.Stat;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * UDP over loopback, Unix-domain stream sockets (JDK 16+ {@link UnixDomainSocketAddress}) and
 * Unix-domain datagram socketpairs.
 */
@EnabledOnOs(OS.LINUX)
class DatagramAndUnixSocketFilterTest {
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

  @Test
  void udpDataIsTheSizeOfTheNextDatagram() throws Exception {
    try (DatagramChannel receiver = DatagramChannel.open();
        DatagramChannel sender = DatagramChannel.open()) {
      receiver.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int fd = FileDescriptors.of(receiver);
      Io.add(kq, fd, EVFILT_READ, EV_ADD, 0, 0);
      assertEquals(0, Io.poll(kq).length);

      sender.send(ByteBuffer.allocate(10), receiver.getLocalAddress());
      sender.send(ByteBuffer.allocate(20), receiver.getLocalAddress());
      KEvent ev = Io.next(kq);
      assertEquals(10, ev.data(), "Linux reports the next datagram (FreeBSD: all queued bytes)");

      receiver.receive(ByteBuffer.allocate(64));
      await().atMost(10, SECONDS).until(() -> {
        KEvent[] events = Io.poll(kq);
        return events.length == 1 && events[0].data() == 20;
      });
      receiver.receive(ByteBuffer.allocate(64));
      assertEquals(0, Io.poll(kq).length);
    }
  }

  @Test
  void anEmptyDatagramIsReadable() throws Exception {
    try (DatagramChannel receiver = DatagramChannel.open();
        DatagramChannel sender = DatagramChannel.open()) {
      receiver.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      Io.add(kq, FileDescriptors.of(receiver), EVFILT_READ, EV_ADD, 0, 0);
      sender.send(ByteBuffer.allocate(0), receiver.getLocalAddress());
      KEvent ev = Io.next(kq);
      assertEquals(0, ev.data());
      assertEquals(0, ev.flags() & EV_EOF);
    }
  }

  @Test
  void udpIsWritableWithoutAConnection() throws Exception {
    try (DatagramChannel socket = DatagramChannel.open()) {
      Io.add(kq, FileDescriptors.of(socket), EVFILT_WRITE, EV_ADD, 0, 0);
      KEvent ev = Io.next(kq);
      assertEquals(EVFILT_WRITE, ev.filter());
      assertTrue(ev.data() > 0);
    }
  }

  @Test
  void udpPortUnreachableMakesTheSocketReadableWithoutEof() throws Exception {
    InetSocketAddress closedPort;
    try (DatagramChannel probe = DatagramChannel.open()) {
      probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      closedPort = (InetSocketAddress) probe.getLocalAddress();
    }
    try (DatagramChannel socket = DatagramChannel.open()) {
      socket.connect(closedPort);
      int fd = FileDescriptors.of(socket);
      Io.add(kq, fd, EVFILT_READ, EV_ADD, 0, 0);
      socket.write(ByteBuffer.allocate(8)); // answered by ICMP port unreachable

      KEvent ev = Io.next(kq);
      assertEquals(0, ev.flags() & EV_EOF, "a temporary UDP error is not end of file");
      assertEquals(0, ev.data(), "no datagram is queued");
      assertThrows(PortUnreachableException.class, () -> socket.read(ByteBuffer.allocate(8)),
          "the read reports the error the event announced");
      assertEquals(0, Io.poll(kq).length, "the error was consumed by the read");
    }
  }

  @Test
  void unixDatagramDataIsTheNextDatagramAndTheSocketIsWritable() throws Exception {
    int[] pair = TestSyscalls.socketpair(Syscalls.AF_UNIX, Syscalls.SOCK_DGRAM);
    try {
      Io.add(kq, pair[0], EVFILT_READ, EV_ADD, 0, 0);
      assertEquals(0, Io.poll(kq).length);
      assertEquals(10, Io.write(pair[1], 10));
      assertEquals(20, Io.write(pair[1], 20));
      KEvent ev = Io.next(kq);
      assertEquals(pair[0], ev.ident());
      assertEquals(10, ev.data(), "Linux reports the next datagram (FreeBSD: all queued bytes)");
      assertEquals(10, Io.read(pair[0], 64), "one datagram per read");
      KEvent[] events = Io.poll(kq);
      assertEquals(1, events.length);
      assertEquals(20, events[0].data());

      Io.add(kq, pair[1], EVFILT_WRITE, EV_ADD, 0, 0);
      KEvent write = Io.next(kq, pair[1], EVFILT_WRITE);
      assertTrue(write.data() > 0, "send buffer space: " + write);
      assertEquals(0, write.flags() & EV_EOF);
    } finally {
      Io.closeQuietly(pair);
    }
  }

  private ServerSocketChannel unixListener(Path path) throws Exception {
    ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    listener.bind(UnixDomainSocketAddress.of(path));
    return listener;
  }

  @Test
  void unixStreamReadAndPeerCloseGiveDataThenEofOnBothFilters() throws Exception {
    Path path = dir.resolve("s");
    SocketChannel client = null;
    try (ServerSocketChannel listener = unixListener(path);
        SocketChannel server = acceptFrom(listener, client = connect(path))) {
      int fd = FileDescriptors.of(server);
      Io.add(kq, fd, EVFILT_READ, EV_ADD, 0, 0);
      client.write(ByteBuffer.allocate(33));
      KEvent ev = Io.next(kq);
      assertEquals(33, ev.data());
      server.read(ByteBuffer.allocate(33));

      Io.add(kq, fd, EVFILT_WRITE, EV_ADD, 0, 0);
      assertEquals(EVFILT_WRITE, Io.next(kq).filter());
      client.close();
      KEvent read = Io.next(kq, fd, EVFILT_READ);
      assertEquals(EV_EOF, read.flags() & EV_EOF);
      KEvent write = Io.next(kq, fd, EVFILT_WRITE);
      while ((write.flags() & EV_EOF) == 0) {
        write = Io.next(kq, fd, EVFILT_WRITE);
      }
      assertEquals(EV_EOF, write.flags() & EV_EOF, "the peer is gone: nothing can be sent");
    } finally {
      if (client != null) {
        client.close();
      }
    }
  }

  private static SocketChannel connect(Path path) throws Exception {
    return SocketChannel.open(UnixDomainSocketAddress.of(path));
  }

  private static SocketChannel acceptFrom(ServerSocketChannel listener, SocketChannel client)
      throws Exception {
    assertTrue(client.isConnected());
    return listener.accept();
  }

  /**
   * Skips the test unless {@code unix_diag} answers for the socket {@code fd}: a netlink socket
   * that opens is not enough, as a kernel with {@code NETLINK_SOCK_DIAG} but without the {@code
   * unix_diag} module answers {@code ENOENT}.
   */
  private static void assumeUnixDiagAnswersFor(int fd, String without) throws Exception {
    assumeTrue(SockDiag.availability().isAvailable(),
        () -> "NETLINK_SOCK_DIAG is refused here (" + without + "): "
            + SockDiag.availability().cause());
    long inode = Stat.fstat(fd).ino();
    try {
      SockDiag.acceptQueue(inode);
    } catch (ErrnoException e) {
      assumeTrue(false, () -> "unix_diag does not answer for inode " + inode + " here ("
          + without + "): " + e.getMessage());
    }
  }

  @Test
  void unixListeningSocketDataIsThePendingConnectionCount() throws Exception {
    Path path = dir.resolve("l");
    List<SocketChannel> clients = new ArrayList<>();
    try (ServerSocketChannel listener = unixListener(path)) {
      int fd = FileDescriptors.of(listener);
      assumeUnixDiagAnswersFor(fd, "data is then 1");
      Io.add(kq, fd, EVFILT_READ, EV_ADD, 0, 0);
      assertEquals(0, Io.poll(kq).length);
      for (int i = 0; i < 3; i++) {
        clients.add(SocketChannel.open(UnixDomainSocketAddress.of(path)));
      }
      KEvent ev = Io.next(kq);
      assertEquals(3, ev.data(), "so_qlen: three connections wait in accept(): " + ev);
      clients.add(listener.accept());
      KEvent[] events = Io.poll(kq);
      assertEquals(1, events.length);
      assertEquals(2, events[0].data(), "one accepted, two left");
    } finally {
      for (SocketChannel c : clients) {
        c.close();
      }
      Files.deleteIfExists(path);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {Syscalls.SOCK_STREAM, Syscalls.SOCK_SEQPACKET})
  void unixLocalShutdownOfTheSendingSideGivesEofOnTheWriteFilter(int type) throws Exception {
    int[] pair = TestSyscalls.socketpair(Syscalls.AF_UNIX, type);
    try {
      if (type == Syscalls.SOCK_SEQPACKET) {
        assumeUnixDiagAnswersFor(pair[0], "a SOCK_SEQPACKET socket's shutdown is read from it");
      }
      Io.add(kq, pair[0], EVFILT_WRITE, EV_ADD | EV_CLEAR, 0, 0);
      assertEquals(0, Io.next(kq).flags() & EV_EOF, "connected and open");

      TestSyscalls.shutdown(pair[0], TestSyscalls.SHUT_WR); // filt_sowrite: SBS_CANTSENDMORE
      KEvent ev = Io.nextEof(kq, pair[0], EVFILT_WRITE);
      assertEquals(0, ev.fflags(), "no socket error");

      Io.add(kq, pair[0], EVFILT_READ, EV_ADD, 0, 0);
      assertEquals(12, Io.write(pair[1], 12));
      KEvent read = Io.next(kq, pair[0], EVFILT_READ);
      assertEquals(12, read.data(), "the other direction still carries data");
      assertEquals(0, read.flags() & EV_EOF);
    } finally {
      Io.closeQuietly(pair);
    }
  }

  /**
   * A Unix-domain stream socket's write {@code data} is {@code SO_SNDBUF / 2} less what Linux
   * charges to the sender for bytes the peer has not read ({@code SIOCOUTQ}, the buffers' true size
   * with their bookkeeping, so at least the bytes written), and all of it again once they are read.
   */
  @Test
  void unixStreamWriteDataDropsByWhatThePeerHasNotRead() throws Exception {
    int[] pair = TestSyscalls.socketpair(Syscalls.AF_UNIX, Syscalls.SOCK_STREAM);
    try {
      long half = Syscalls.getsockoptInt(pair[0], Syscalls.SOL_SOCKET, Syscalls.SO_SNDBUF) / 2;
      Io.add(kq, pair[0], EVFILT_WRITE, EV_ADD, 0, 0);
      assertEquals(half, Io.next(kq).data(), "nothing queued: all of the buffer");

      assertEquals(1000, Io.write(pair[0], 1000));
      long charged = Syscalls.outq(pair[0]);
      assertTrue(charged >= 1000, "charged " + charged + " for 1000 bytes");
      KEvent[] events = Io.poll(kq);
      assertEquals(1, events.length);
      assertEquals(half - charged, events[0].data(), "the peer has not read");

      assertEquals(1000, Io.read(pair[1], 4096));
      events = Io.poll(kq);
      assertEquals(1, events.length);
      assertEquals(half, events[0].data(), "read: all of the buffer again");
    } finally {
      Io.closeQuietly(pair);
    }
  }

  /**
   * A Unix-domain {@code SOCK_SEQPACKET} socket's read {@code data} is every byte queued, not the
   * next record: Linux's {@code FIONREAD} sums the queue for it as for a stream (FreeBSD's {@code
   * filt_soread} counts the buffer too).
   */
  @Test
  void unixSeqpacketReadDataIsEveryQueuedByte() throws Exception {
    int[] pair = TestSyscalls.socketpair(Syscalls.AF_UNIX, Syscalls.SOCK_SEQPACKET);
    try {
      Io.add(kq, pair[0], EVFILT_READ, EV_ADD, 0, 0);
      assertEquals(0, Io.poll(kq).length);
      assertEquals(10, Io.write(pair[1], 10));
      assertEquals(20, Io.write(pair[1], 20));
      KEvent ev = Io.next(kq);
      assertEquals(pair[0], ev.ident());
      assertEquals(30, ev.data(), "two records queued");
      assertEquals(0, ev.flags() & EV_EOF);

      assertEquals(10, Io.read(pair[0], 64), "one record per read");
      KEvent[] events = Io.poll(kq);
      assertEquals(1, events.length);
      assertEquals(20, events[0].data());
    } finally {
      Io.closeQuietly(pair);
    }
  }

  @Test
  void unixSeqpacketPeerCloseGivesEofWithTheQueuedBytes() throws Exception {
    int[] pair = TestSyscalls.socketpair(Syscalls.AF_UNIX, Syscalls.SOCK_SEQPACKET);
    try {
      Io.add(kq, pair[0], EVFILT_READ, EV_ADD, 0, 0);
      assertEquals(7, Io.write(pair[1], 7));
      assertEquals(7, Io.next(kq).data());
      FileDescriptors.close(pair[1]);
      KEvent ev = Io.nextEof(kq, pair[0], EVFILT_READ);
      assertEquals(7, ev.data(), "EV_EOF is set while a record is still queued");
      assertEquals(0, ev.fflags(), "an orderly close carries no error");

      assertEquals(7, Io.read(pair[0], 64));
      KEvent[] events = Io.poll(kq);
      assertEquals(1, events.length, "at end of file the socket stays readable");
      assertEquals(EV_EOF, events[0].flags() & EV_EOF);
      assertEquals(0, events[0].data());
    } finally {
      Io.closeQuietly(pair);
    }
  }

  @Test
  void socketpairIsAStreamSocket() throws Exception {
    int[] pair = TestSyscalls.socketpair(Syscalls.AF_UNIX, Syscalls.SOCK_STREAM);
    try {
      Io.add(kq, pair[0], EVFILT_READ, EV_ADD, 0, 0);
      Io.write(pair[1], 12);
      assertEquals(12, Io.next(kq).data());
      FileDescriptors.close(pair[1]);
      KEvent ev = Io.next(kq);
      while ((ev.flags() & EV_EOF) == 0) {
        ev = Io.next(kq);
      }
      assertEquals(12, ev.data());
    } finally {
      Io.closeQuietly(pair);
    }
  }
}
