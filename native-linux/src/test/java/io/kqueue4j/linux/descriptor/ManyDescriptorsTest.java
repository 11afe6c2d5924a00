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
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * 10,000 registered sockets (5,000 Unix-domain socketpairs, both ends registered) with one active:
 * only that one is reported, and idle knotes cost nothing per {@code kevent}.
 */
@EnabledOnOs(OS.LINUX)
class ManyDescriptorsTest {
  private static final int SOCKETS = 10_000;

  private KQueue kq;
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
    fds = new int[SOCKETS];
    for (int i = 0; i < SOCKETS; i += 2) {
      int[] pair = Syscalls.socketpair(Syscalls.AF_UNIX, Syscalls.SOCK_STREAM);
      fds[i] = pair[0];
      fds[i + 1] = pair[1];
      opened += 2;
    }
  }

  @AfterEach
  void close() {
    if (kq != null) {
      kq.close();
    }
    for (int i = 0; i < opened; i++) {
      Io.closeQuietly(fds[i]);
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
    int peer = active ^ 1; // the other end of its socketpair
    Io.write(fds[peer], 42);
    assertEquals(1, kq.kevent(null, events, Duration.ofSeconds(10).toNanos()));
    assertEquals(fds[active], events.ident(0));
    assertEquals(42, events.data(0));
    assertEquals(1, kq.kevent(null, events, 0), "level-triggered: still the one, only it");
    assertEquals(fds[active], events.ident(0));

    Io.read(fds[active], 42);
    assertEquals(0, kq.kevent(null, events, 0));

    Io.write(fds[1], 1);
    KEvent ev = Io.next(kq);
    assertEquals(fds[0], ev.ident(), "another one, after the first was drained");
  }
}
