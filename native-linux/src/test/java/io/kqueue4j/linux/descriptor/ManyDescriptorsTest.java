package io.kqueue4j.linux.descriptor;

import static io.kqueue4j.KEvent.EVFILT_READ;
import static io.kqueue4j.KEvent.EV_ADD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.UnixOperatingSystemMXBean;
import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueue;
import io.kqueue4j.kernel.EmulatedKQueue;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * 10,000 registered sockets (5,000 TCP connections over loopback, both ends registered) with one
 * active: only that one is reported, and idle knotes cost nothing per {@code kevent}.
 */
@EnabledOnOs(OS.LINUX)
class ManyDescriptorsTest {
  private static final int SOCKETS = 10_000;

  private KQueue kq;
  private ServerSocketChannel listener;
  private SocketChannel[] sockets;
  private int[] fds;
  private int opened;

  @BeforeEach
  void open() throws Exception {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    assumeTrue(os instanceof UnixOperatingSystemMXBean, "needs the descriptor counts");
    UnixOperatingSystemMXBean unix = (UnixOperatingSystemMXBean) os;
    long headroom = unix.getMaxFileDescriptorCount() - unix.getOpenFileDescriptorCount();
    assumeTrue(headroom > SOCKETS + 200,
        "ulimit -n leaves " + headroom + " descriptors; " + SOCKETS + " are needed");
    kq = KQueue.emulated();
    listener = ServerSocketChannel.open();
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
    sockets = new SocketChannel[SOCKETS];
    fds = new int[SOCKETS];
    for (int i = 0; i < SOCKETS; i += 2) {
      sockets[i] = SocketChannel.open(listener.getLocalAddress());
      opened++;
      sockets[i + 1] = listener.accept();
      opened++;
      fds[i] = FileDescriptors.of(sockets[i]);
      fds[i + 1] = FileDescriptors.of(sockets[i + 1]);
    }
  }

  @AfterEach
  void close() throws Exception {
    if (kq != null) {
      kq.close();
    }
    for (int i = 0; i < opened; i++) {
      sockets[i].close();
    }
    if (listener != null) {
      listener.close();
    }
  }

  private void send(int index, int bytes) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(bytes);
    while (b.hasRemaining()) {
      sockets[index].write(b);
    }
  }

  private void receive(int index, int bytes) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(bytes);
    while (b.hasRemaining()) {
      sockets[index].read(b);
    }
  }

  @Test
  void tenThousandRegisteredOneActive() throws Exception {
    KEventBuffer changes = new KEventBuffer(SOCKETS);
    for (int fd : fds) {
      changes.add(fd, EVFILT_READ, EV_ADD, 0, 0, null);
    }
    kq.kevent(changes, null, 0);
    assertEquals(SOCKETS, ((EmulatedKQueue) kq).checkInvariants());
    KEventBuffer events = new KEventBuffer(64);
    assertEquals(0, kq.kevent(null, events, 0), "all idle");

    int active = 7_777;
    int peer = active ^ 1; // the other end of its connection
    send(peer, 42);
    assertEquals(1, kq.kevent(null, events, Duration.ofSeconds(10).toNanos()));
    assertEquals(fds[active], events.ident(0));
    assertEquals(42, events.data(0));
    assertEquals(1, kq.kevent(null, events, 0), "level-triggered: still the one, only it");
    assertEquals(fds[active], events.ident(0));

    receive(active, 42);
    assertEquals(0, kq.kevent(null, events, 0));

    send(1, 1);
    KEvent ev = Io.next(kq);
    assertEquals(fds[0], ev.ident(), "another one, after the first was drained");
  }
}
