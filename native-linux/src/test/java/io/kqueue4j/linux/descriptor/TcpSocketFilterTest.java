package io.kqueue4j.linux.descriptor;

import static io.kqueue4j.KEvent.EVFILT_READ;
import static io.kqueue4j.KEvent.EVFILT_WRITE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DISABLE;
import static io.kqueue4j.KEvent.EV_ENABLE;
import static io.kqueue4j.KEvent.EV_EOF;
import static io.kqueue4j.KEvent.NOTE_LOWAT;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** {@code filt_soread}/{@code filt_sowrite}/the listen branch on TCP sockets over loopback. */
@EnabledOnOs(OS.LINUX)
class TcpSocketFilterTest {
  private KQueue kq;
  private ServerSocketChannel listener;
  private SocketChannel client;
  private SocketChannel server;
  private final List<SocketChannel> extra = new ArrayList<>();

  @BeforeEach
  void open() throws Exception {
    kq = KQueue.emulated();
    listener = ServerSocketChannel.open();
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    client = SocketChannel.open(listener.getLocalAddress());
    server = listener.accept();
  }

  @AfterEach
  void close() throws Exception {
    kq.close();
    for (SocketChannel c : extra) {
      c.close();
    }
    client.close();
    server.close();
    listener.close();
  }

  private static void send(SocketChannel channel, int n) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining()) {
      channel.write(b);
    }
  }

  private static void receive(SocketChannel channel, int n) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining()) {
      channel.read(b);
    }
  }

  private static void awaitQueued(int fd, int bytes) {
    await().atMost(10, SECONDS).until(() -> Syscalls.fionread(fd) == bytes);
  }

  @Test
  void readDataIsTheQueuedByteCount() throws Exception {
    int fd = FileDescriptors.of(server);
    Io.add(kq, fd, EVFILT_READ, EV_ADD, 0, 0);
    assertEquals(0, Io.poll(kq).length);

    send(client, 100);
    KEvent ev = Io.next(kq);
    assertEquals(fd, ev.ident());
    assertEquals(100, ev.data());
    assertEquals(0, ev.flags() & EV_EOF);
  }

  @Test
  void partialReadLeavesTheRestInData() throws Exception {
    int fd = FileDescriptors.of(server);
    send(client, 100);
    awaitQueued(fd, 100);
    Io.add(kq, fd, EVFILT_READ, EV_ADD, 0, 0);
    assertEquals(100, Io.next(kq).data());

    receive(server, 40);
    KEvent[] events = Io.poll(kq);
    assertEquals(1, events.length);
    assertEquals(60, events[0].data());

    receive(server, 60);
    assertEquals(0, Io.poll(kq).length);
  }

  @Test
  void peerCloseGivesEofWithoutError() throws Exception {
    int fd = FileDescriptors.of(server);
    Io.add(kq, fd, EVFILT_READ, EV_ADD, 0, 0);
    send(client, 7);
    client.close();

    KEvent ev = Io.next(kq);
    while ((ev.flags() & EV_EOF) == 0) {
      ev = Io.next(kq);
    }
    assertEquals(7, ev.data(), "EV_EOF is set while data is still buffered");
    assertEquals(0, ev.fflags(), "an orderly close carries no error");
  }

  @Test
  void peerResetGivesEofWithEconnreset() throws Exception {
    int fd = FileDescriptors.of(server);
    Io.add(kq, fd, EVFILT_READ, EV_ADD, 0, 0);
    client.setOption(StandardSocketOptions.SO_LINGER, 0);
    client.close(); // RST

    KEvent ev = Io.next(kq);
    assertEquals(EV_EOF, ev.flags() & EV_EOF);
    assertEquals(Errno.ECONNRESET, ev.fflags(), "fflags carries the socket error, in FreeBSD's numbering");

    KEvent again = Io.poll(kq)[0];
    assertEquals(Errno.ECONNRESET, again.fflags(), "the error stays with the knote");
  }

  @Test
  void peerResetGivesEofWithEconnresetOnTheWriteFilterToo() throws Exception {
    int fd = FileDescriptors.of(server);
    Io.add(kq, fd, EVFILT_WRITE, EV_ADD, 0, 0);
    assertEquals(0, Io.next(kq).flags() & EV_EOF, "connected: writable, not at end of file");
    client.setOption(StandardSocketOptions.SO_LINGER, 0);
    client.close(); // RST: nothing more can be sent either

    KEvent ev = Io.next(kq, fd, EVFILT_WRITE);
    while ((ev.flags() & EV_EOF) == 0) {
      ev = Io.next(kq, fd, EVFILT_WRITE);
    }
    assertEquals(Errno.ECONNRESET, ev.fflags(), "filt_sowrite: fflags = so_error with EV_EOF");

    Io.add(kq, fd, EVFILT_READ, EV_ADD, 0, 0);
    KEvent read = Io.next(kq, fd, EVFILT_READ);
    assertEquals(EV_EOF, read.flags() & EV_EOF);
    assertEquals(Errno.ECONNRESET, read.fflags(),
        "the error Linux hands out once (SO_ERROR) reaches a knote added later");
  }

  @Test
  void writeFiresWithSendBufferSpace() throws Exception {
    int fd = FileDescriptors.of(client);
    Io.add(kq, fd, EVFILT_WRITE, EV_ADD, 0, 0);
    KEvent ev = Io.next(kq);
    assertEquals(EVFILT_WRITE, ev.filter());
    int sndbuf = client.getOption(StandardSocketOptions.SO_SNDBUF);
    assertTrue(ev.data() > 0 && ev.data() <= sndbuf, "space " + ev.data() + " of " + sndbuf);
  }

  /**
   * A TCP socket's write {@code data} is {@code SO_SNDBUF / 2} less the bytes not yet acknowledged
   * ({@code SIOCOUTQ}): bytes the peer's kernel acknowledged leave the send buffer whether or not
   * the peer read them, as on FreeBSD, whose {@code so_snd} holds unacknowledged bytes only.
   */
  @Test
  void writeDataIsTheSendBufferLessTheUnacknowledgedBytes() throws Exception {
    client.setOption(StandardSocketOptions.SO_SNDBUF, 64 * 1024); // fixed: no autotuning
    int fd = FileDescriptors.of(client);
    int peer = FileDescriptors.of(server);
    long half = Syscalls.getsockoptInt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_SNDBUF) / 2;
    Io.add(kq, fd, EVFILT_WRITE, EV_ADD, 0, 0);
    assertEquals(half, Io.next(kq).data(), "nothing sent: all of the buffer");

    send(client, 1000);
    await().atMost(10, SECONDS)
        .until(() -> Syscalls.outq(fd) == 0 && Syscalls.fionread(peer) == 1000);
    KEvent[] events = Io.poll(kq);
    assertEquals(1, events.length);
    assertEquals(half, events[0].data(), "1000 bytes acknowledged, not read: all of it again");
  }

  @Test
  void fullSocketIsNotWritableUntilThePeerReads() throws Exception {
    int fd = FileDescriptors.of(client);
    client.configureBlocking(false);
    ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
    long sent = 0;
    int zeroes = 0;
    while (zeroes < 3) { // loopback keeps accepting while the receiver's window opens
      chunk.clear();
      int n = client.write(chunk);
      sent += n;
      zeroes = n == 0 ? zeroes + 1 : 0;
    }
    Io.add(kq, fd, EVFILT_WRITE, EV_ADD, 0, 0);
    assertEquals(0, Io.poll(kq).length, "full after " + sent + " bytes");

    ByteBuffer sink = ByteBuffer.allocateDirect(256 * 1024);
    long drained = 0;
    while (drained < sent) {
      sink.clear();
      drained += server.read(sink);
    }
    KEvent ev = Io.next(kq);
    assertEquals(EVFILT_WRITE, ev.filter());
    assertTrue(ev.data() > 0);
  }

  @Test
  void noteLowatOnReadWaitsForThatManyBytes() throws Exception {
    int fd = FileDescriptors.of(server);
    Io.add(kq, fd, EVFILT_READ, EV_ADD, NOTE_LOWAT, 10);
    send(client, 5);
    awaitQueued(fd, 5);
    Io.add(kq, fd, EVFILT_READ, EV_ADD, NOTE_LOWAT, 10); // re-checks now, synchronously
    assertEquals(0, Io.poll(kq).length, "5 bytes are below the low-water mark of 10");

    send(client, 5);
    KEvent ev = Io.next(kq);
    assertEquals(10, ev.data());
  }

  @Test
  void soRcvlowatIsTheMarkWithoutNoteLowat() throws Exception {
    int fd = FileDescriptors.of(server);
    TestSyscalls.setsockoptInt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_RCVLOWAT, 10);
    Io.add(kq, fd, EVFILT_READ, EV_ADD, 0, 0);
    send(client, 5);
    awaitQueued(fd, 5);
    Io.add(kq, fd, EVFILT_READ, EV_ADD, 0, 0); // re-checks now, synchronously
    assertEquals(0, Io.poll(kq).length, "5 bytes are below the socket's SO_RCVLOWAT of 10");

    send(client, 5);
    assertEquals(10, Io.next(kq).data());
  }

  @Test
  void noteLowatOnWriteAboveTheBufferNeverFires() throws Exception {
    int fd = FileDescriptors.of(client);
    Io.add(kq, fd, EVFILT_WRITE, EV_ADD, NOTE_LOWAT, 1L << 40);
    assertEquals(0, Io.poll(kq).length, "no socket has a terabyte of space");
    Io.add(kq, fd, EVFILT_WRITE, EV_ADD, NOTE_LOWAT, 1);
    assertEquals(1, Io.poll(kq).length, "a low-water mark of 1 is met");
  }

  /** Writes without blocking until the socket takes nothing more; returns the bytes written. */
  private static long fill(SocketChannel channel) throws Exception {
    channel.configureBlocking(false);
    ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
    long sent = 0;
    int zeroes = 0;
    while (zeroes < 3) { // loopback keeps accepting while the receiver's window opens
      chunk.clear();
      int n = channel.write(chunk);
      sent += n;
      zeroes = n == 0 ? zeroes + 1 : 0;
    }
    return sent;
  }

  /**
   * Linux reports send space once, when about a third of the buffer is free after the socket was
   * full; a {@code NOTE_LOWAT} mark above that is met later without another report, and the knote
   * fires all the same (the poller re-checks it), with {@code data >= mark} as on FreeBSD.
   */
  @Test
  void noteLowatOnWriteFiresOnceTheSpaceIsThereThoughLinuxReportsLessEarlier() throws Exception {
    SocketChannel sender;
    SocketChannel receiver;
    try (ServerSocketChannel small = ServerSocketChannel.open()) {
      small.setOption(StandardSocketOptions.SO_RCVBUF, 16 * 1024); // inherited: a small window
      small.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
      sender = SocketChannel.open();
      extra.add(sender);
      sender.setOption(StandardSocketOptions.SO_SNDBUF, 64 * 1024);
      sender.connect(small.getLocalAddress());
      receiver = small.accept();
      extra.add(receiver);
    }
    int fd = FileDescriptors.of(sender);
    long sent = fill(sender);
    long mark = Syscalls.getsockoptInt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_SNDBUF) / 2 - 4096;
    Io.add(kq, fd, EVFILT_WRITE, EV_ADD, NOTE_LOWAT, mark);
    assertEquals(0, Io.poll(kq).length, "full after " + sent + " bytes");

    ByteBuffer sink = ByteBuffer.allocateDirect(4096);
    long received = 0;
    try (KQueue plain = KQueue.emulated()) {
      Io.add(plain, fd, EVFILT_WRITE, EV_ADD, 0, 0);
      assertEquals(0, Io.poll(plain).length);
      while ((Syscalls.poll(fd, Syscalls.POLLOUT) & Syscalls.POLLOUT) == 0) {
        sink.clear(); // until Linux's own mark is met: about a third of the buffer free
        received += receiver.read(sink);
      }
      // Linux's one report of new space reaches both knotes (one post): this one fires
      assertEquals(EVFILT_WRITE, Io.next(plain).filter(), "without a mark: writable now");
    }
    assertEquals(0, Io.poll(kq).length, "Linux's own mark is met, not " + mark + " (space "
        + (mark + 4096 - Syscalls.outq(fd)) + ")");

    while (received < sent) {
      sink.clear();
      received += receiver.read(sink);
    }
    await().atMost(10, SECONDS).until(() -> Syscalls.outq(fd) == 0); // all acknowledged
    KEvent ev = Io.next(kq);
    assertEquals(EVFILT_WRITE, ev.filter());
    assertTrue(ev.data() >= mark, "data " + ev.data() + " reaches the mark " + mark);
  }

  @Test
  void aDisabledNoteLowatWriteKnoteShortOfItsMarkIsNotReCheckedUntilEnabled() throws Exception {
    int fd = FileDescriptors.of(client);
    long mark = Syscalls.getsockoptInt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_SNDBUF); // never met
    DescriptorPoller poller = DescriptorPoller.get();
    Io.add(kq, fd, EVFILT_WRITE, EV_ADD, NOTE_LOWAT, mark);
    assertEquals(0, Io.poll(kq).length);
    long enabled = poller.recheckRounds();
    await().atMost(10, SECONDS).until(() -> poller.recheckRounds() > enabled + 2);

    Io.add(kq, fd, EVFILT_WRITE, EV_DISABLE, NOTE_LOWAT, mark);
    Thread.sleep(100); // a round that was due at the change runs once more
    long disabled = poller.recheckRounds();
    Thread.sleep(300); // 30 rounds' time while the knote was enabled
    assertEquals(disabled, poller.recheckRounds(), "re-check rounds for a disabled knote");

    Io.add(kq, fd, EVFILT_WRITE, EV_ENABLE, NOTE_LOWAT, 1); // re-probed: the space is there
    KEvent ev = Io.next(kq, fd, EVFILT_WRITE);
    assertTrue(ev.data() >= 1, "data " + ev.data());
  }

  @Test
  void localShutdownOfTheSendingSideGivesEofOnTheWriteFilter() throws Exception {
    int fd = FileDescriptors.of(client);
    Io.add(kq, fd, EVFILT_WRITE, EV_ADD | EV_CLEAR, 0, 0);
    assertEquals(0, Io.next(kq).flags() & EV_EOF, "connected and open");

    client.shutdownOutput(); // filt_sowrite: SBS_CANTSENDMORE is end of file
    KEvent ev = Io.nextEof(kq, fd, EVFILT_WRITE);
    assertEquals(0, ev.fflags(), "no socket error");

    Io.add(kq, fd, EVFILT_READ, EV_ADD, 0, 0);
    send(server, 5);
    KEvent read = Io.next(kq, fd, EVFILT_READ);
    assertEquals(5, read.data(), "the other direction still carries data");
    assertEquals(0, read.flags() & EV_EOF);
  }

  @Test
  void aWriteKnoteAddedAfterALocalShutdownStartsAtEndOfFile() throws Exception {
    int fd = FileDescriptors.of(client);
    client.shutdownOutput();
    Io.add(kq, fd, EVFILT_WRITE, EV_ADD, 0, 0);
    KEvent ev = Io.next(kq);
    assertEquals(EV_EOF, ev.flags() & EV_EOF);
    assertEquals(EV_EOF, Io.poll(kq)[0].flags() & EV_EOF, "and stays there");
  }

  @Test
  void listeningSocketDataIsThePendingConnectionCount() throws Exception {
    int fd = FileDescriptors.of(listener);
    Io.add(kq, fd, EVFILT_READ, EV_ADD, 0, 0);
    assertEquals(0, Io.poll(kq).length, "nothing to accept");

    for (int i = 0; i < 3; i++) {
      extra.add(SocketChannel.open(listener.getLocalAddress()));
    }
    await().atMost(10, SECONDS).until(() -> {
      KEvent[] events = Io.poll(kq);
      return events.length == 1 && events[0].data() == 3;
    });
    extra.add(listener.accept());
    KEvent[] events = Io.poll(kq);
    assertEquals(1, events.length);
    assertEquals(2, events[0].data(), "one accepted, two left");
  }

  @Test
  void listeningSocketIsNeverWritable() throws Exception {
    int fd = FileDescriptors.of(listener);
    Io.add(kq, fd, EVFILT_WRITE, EV_ADD, 0, 0);
    extra.add(SocketChannel.open(listener.getLocalAddress()));
    Io.add(kq, fd, EVFILT_READ, EV_ADD, 0, 0);
    KEvent ev = Io.next(kq);
    assertEquals(EVFILT_READ, ev.filter(), "only the read filter fires: " + ev);
    for (KEvent other : Io.poll(kq)) {
      assertEquals(EVFILT_READ, other.filter(), "EVFILT_WRITE never fires: " + other);
    }
  }

  @Test
  void unconnectedSocketIsNeitherReadableNorWritable() throws Exception {
    try (SocketChannel fresh = SocketChannel.open()) {
      int fd = FileDescriptors.of(fresh);
      Io.add(kq, fd, EVFILT_READ, EV_ADD, 0, 0);
      Io.add(kq, fd, EVFILT_WRITE, EV_ADD, 0, 0);
      assertEquals(0, Io.poll(kq).length, "no EV_EOF before a connection was ever made");
      FileDescriptors.close(fd);
    }
  }

  @Test
  void writeFiresWhenANonBlockingConnectCompletes() throws Exception {
    SocketChannel connecting = SocketChannel.open();
    extra.add(connecting);
    connecting.configureBlocking(false);
    int fd = FileDescriptors.of(connecting);
    boolean done = connecting.connect(listener.getLocalAddress());
    Io.add(kq, fd, EVFILT_WRITE, EV_ADD, 0, 0);
    KEvent ev = Io.next(kq);
    assertEquals(0, ev.flags() & EV_EOF, "connected, not failed (immediate: " + done + ")");
    assertTrue(connecting.finishConnect());
  }

  @Test
  void refusedConnectGivesEofWithEconnrefused() throws Exception {
    InetSocketAddress closedPort;
    try (ServerSocketChannel probe = ServerSocketChannel.open()) {
      probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      closedPort = (InetSocketAddress) probe.getLocalAddress();
    }
    SocketChannel refused = SocketChannel.open();
    extra.add(refused);
    refused.configureBlocking(false);
    int fd = FileDescriptors.of(refused);
    Io.add(kq, fd, EVFILT_WRITE, EV_ADD, 0, 0);
    refused.connect(closedPort);
    KEvent ev = Io.next(kq, fd, EVFILT_WRITE);
    assertEquals(EV_EOF, ev.flags() & EV_EOF);
    assertEquals(Errno.ECONNREFUSED, ev.fflags());
  }
}
