package io.kqueue4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Children here are started with {@code posix_spawn} ({@link Spawn}), so no JDK reaper races the
 * test for their exit status; the test reaps each one itself.
 */
@EnabledOnOs(OS.LINUX)
class PidFdTest {

  private static final int WAIT_MS = 10_000;

  @TempDir Path dir;

  @Test
  void isProbedAvailableWithWaitid() {
    assertTrue(PidFd.isAvailable());
    assertNull(PidFd.unavailabilityCause());
    assertTrue(PidFd.isWaitidAvailable());
    assertNull(PidFd.waitidUnavailabilityCause());
  }

  @Test
  void ownProcessIsOpenSignallableNotReadableAndNotAChild() throws Exception {
    try (PidFd self = PidFd.open(ProcessHandle.current().pid());
        Epoll epoll = Epoll.open()) {
      assertEquals(LibC.getpid(), self.pid());
      assertEquals(LibC.FD_CLOEXEC, LibC.fcntl(self.fd(), LibC.F_GETFD));
      self.sendSignal(0);
      epoll.add(self.fd(), Epoll.EPOLLIN, 1);
      assertEquals(0, epoll.waitEvents(new EpollEventArray(1), 0));
      ErrnoException notChild =
          assertThrows(ErrnoException.class, () -> self.waitid(PidFd.WEXITED | PidFd.WNOHANG));
      assertEquals(LinuxErrno.ECHILD, notChild.errno());
    }
  }

  @Test
  void exitMakesItReadableAndWaitidReadsTheStatusWithoutReaping() throws Exception {
    Path go = dir.resolve("go");
    int pid = Spawn.shell("while [ ! -e '" + go + "' ]; do sleep 0.01; done; exit 7");
    try (PidFd child = PidFd.open(pid);
        Epoll epoll = Epoll.open()) {
      EpollEventArray events = new EpollEventArray(1);
      epoll.add(child.fd(), Epoll.EPOLLIN, pid);
      assertEquals(0, epoll.waitEvents(events, 0));
      assertNull(child.waitid(PidFd.WEXITED | PidFd.WNOHANG | PidFd.WNOWAIT), "still running");

      Files.createFile(go);
      assertEquals(1, epoll.waitEvents(events, WAIT_MS));
      assertEquals(pid, events.data(0));

      ChildStatus status = new ChildStatus(pid, ChildStatus.CLD_EXITED, 7);
      int peek = PidFd.WEXITED | PidFd.WNOHANG | PidFd.WNOWAIT;
      assertEquals(status, child.waitid(peek));
      assertEquals(status, child.waitid(peek), "WNOWAIT left it waitable");
      assertTrue(status.exited());
      assertEquals(7 << 8, status.waitStatus());

      assertEquals(status, child.waitid(PidFd.WEXITED), "reaped now");
      ErrnoException gone = assertThrows(ErrnoException.class, () -> child.waitid(peek));
      assertEquals(LinuxErrno.ECHILD, gone.errno());
      assertEquals(1, epoll.waitEvents(events, 0), "a pidfd stays readable after the reap");
    }
  }

  @Test
  void sendSignalKillsAndWaitidReportsTheSignal() throws Exception {
    int pid = Spawn.shell("exec sleep 600");
    try (PidFd child = PidFd.open(pid);
        Epoll epoll = Epoll.open()) {
      epoll.add(child.fd(), Epoll.EPOLLIN, 0);
      child.sendSignal(LibC.SIGKILL);
      assertEquals(1, epoll.waitEvents(new EpollEventArray(1), WAIT_MS));
      ChildStatus status = child.waitid(PidFd.WEXITED);
      assertEquals(new ChildStatus(pid, ChildStatus.CLD_KILLED, LibC.SIGKILL), status);
      assertTrue(status.killed());
      assertEquals(LibC.SIGKILL, status.waitStatus());

      ErrnoException dead = assertThrows(ErrnoException.class, () -> child.sendSignal(0));
      assertEquals(LinuxErrno.ESRCH, dead.errno());
      assertEquals(
          "pidfd_send_signal(..) failed: ESRCH (No such process): pid " + pid + ", signal 0",
          dead.getMessage());
    }
  }

  @Test
  void openingAReapedProcessIsEsrch() throws Exception {
    int pid = Spawn.shell("exit 0");
    try (PidFd child = PidFd.open(pid)) { // a zombie can still be opened
      child.waitid(PidFd.WEXITED);
    }
    ErrnoException e = assertThrows(ErrnoException.class, () -> PidFd.open(pid));
    assertEquals(LinuxErrno.ESRCH, e.errno());
    assertEquals("pidfd_open(..) failed: ESRCH (No such process): pid " + pid, e.getMessage());
    assertEquals(
        LinuxErrno.EINVAL, assertThrows(ErrnoException.class, () -> PidFd.open(0)).errno());
  }

  @Test
  void jdkStartedProcessBecomesReadableWhenItExits() throws Exception {
    Process sleeper = new ProcessBuilder("sleep", "600").start();
    try (PidFd child = PidFd.open(sleeper.pid());
        Epoll epoll = Epoll.open()) {
      EpollEventArray events = new EpollEventArray(1);
      epoll.add(child.fd(), Epoll.EPOLLIN, 0);
      assertEquals(0, epoll.waitEvents(events, 0));
      child.sendSignal(LibC.SIGTERM);
      assertEquals(1, epoll.waitEvents(events, WAIT_MS));
      assertEquals(Epoll.EPOLLIN, events.events(0) & Epoll.EPOLLIN);
      assertEquals(128 + LibC.SIGTERM, sleeper.waitFor());
    } finally {
      sleeper.destroyForcibly();
    }
  }

  @Test
  void waitStatusEncodesAsWaitDoes() {
    assertEquals(0x8b, new ChildStatus(1, ChildStatus.CLD_DUMPED, 11).waitStatus());
    assertEquals(0x137f, new ChildStatus(1, ChildStatus.CLD_STOPPED, LibC.SIGSTOP).waitStatus());
    assertEquals(0xffff, new ChildStatus(1, ChildStatus.CLD_CONTINUED, LibC.SIGCONT).waitStatus());
    assertEquals(0xff00, new ChildStatus(1, ChildStatus.CLD_EXITED, 255).waitStatus());
  }
}
