package io.kqueue4j.linux.proc;

import static io.kqueue4j.KEvent.EVFILT_PROC;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_EOF;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static io.kqueue4j.KEvent.NOTE_EXIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.proc.ProcFilter;
import io.kqueue4j.filters.proc.WaitStatus;
import io.kqueue4j.kernel.Filters;
import io.kqueue4j.linux.ChildStatus;
import io.kqueue4j.linux.LibC;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only the pidfd source can do: zombies, exact statuses of children the JDK does not reap,
 * processes that are not children, exits racing registration, and no descriptor left behind.
 * Children here are started with {@code posix_spawn} ({@link Children}) and reaped by the test.
 */
@EnabledOnOs(OS.LINUX)
class PidFdExitTest {
  /** A hang guard only: how long an event that must come may take on a loaded machine. */
  private static final Duration WAIT = Duration.ofSeconds(30);
  /** A free filter slot for a filter on a wrapped source. */
  private static final short SLOT = -29;

  @TempDir Path dir;
  private KQueue kq;
  private final List<Integer> unreaped = new ArrayList<>();
  private boolean installed;

  @BeforeEach
  void open() throws KQueueException {
    kq = KQueue.emulated();
  }

  @AfterEach
  void close() throws Exception {
    kq.close();
    if (installed) {
      Filters.remove(SLOT);
    }
    for (int pid : unreaped) {
      try {
        LibC.kill(pid, LibC.SIGKILL);
      } catch (IOException gone) {
        // exited already
      }
      Children.reap(pid);
    }
  }

  private int spawn(String script) {
    int pid = Children.shell(script);
    unreaped.add(pid);
    return pid;
  }

  private void add(long pid, int fflags) throws KQueueException {
    kq.kevent(new KEvent[] {KEvent.of(pid, EVFILT_PROC, EV_ADD, fflags, 0, null)}, null,
        Duration.ZERO);
  }

  private KEvent get() throws KQueueException {
    KEvent[] out = new KEvent[1];
    assertEquals(1, kq.kevent(null, out, WAIT), "one event within " + WAIT);
    return out[0];
  }

  @Test
  void pidfdSourceIsActive() {
    assertEquals("pidfd", ProcFilter.sourceName(), ProcFilter.describeSource());
    assertTrue(!ProcFilter.isPortableFallback());
  }

  @Test
  void zombieRegisteredWithNoteExitIsReportedAtOnceWithItsStatus() throws Exception {
    int pid = spawn("exit 7");
    await().atMost(WAIT).until(() -> Children.isZombie(pid));
    add(pid, NOTE_EXIT);
    assertEquals(KEvent.of(pid, EVFILT_PROC, EV_CLEAR | EV_EOF | EV_ONESHOT, NOTE_EXIT,
        WaitStatus.ofExit(7), null), get());
    assertEquals(new ChildStatus(pid, ChildStatus.CLD_EXITED, 7), Children.reap(pid),
        "left for its parent to reap");
    unreaped.remove((Integer) pid);
  }

  @Test
  void zombieWithoutNoteExitIsEsrch() throws Exception {
    int pid = spawn("exit 0");
    await().atMost(WAIT).until(() -> Children.isZombie(pid));
    KEvent[] out = new KEvent[1];
    kq.kevent(new KEvent[] {KEvent.of(pid, EVFILT_PROC, EV_ADD, 0, 0, null)}, out, Duration.ZERO);
    assertEquals(Errno.ESRCH, out[0].data());
  }

  @Test
  void exactStatusOfAChildKilledByASignal() throws Exception {
    int pid = spawn("exec sleep 600");
    add(pid, NOTE_EXIT);
    LibC.kill(pid, LibC.SIGUSR1);
    assertEquals(WaitStatus.ofSignal(LibC.SIGUSR1, false), get().data());
  }

  @Test
  void exitsRacingTheirRegistrationAreAllReported() throws Exception {
    for (int i = 0; i < 200; i++) {
      int pid = spawn("exit " + (i % 50));
      add(pid, NOTE_EXIT); // the child may exit before, during or after this
      KEvent exit = get();
      assertEquals(pid, exit.ident());
      assertEquals(WaitStatus.ofExit(i % 50), exit.data(), "status of child " + i);
      Children.reap(pid);
      unreaped.remove((Integer) pid);
    }
  }

  /**
   * A process this JVM did not start: a grandchild whose parent, a {@code sleep} that never waits,
   * leaves it a zombie, so its status is still readable from {@code /proc} when the exit is seen.
   */
  @Test
  void processThatIsNotAChildIsReportedWhenItExits() throws Exception {
    Path go = dir.resolve("go");
    Path pidFile = dir.resolve("pid");
    Process parent = new ProcessBuilder("/bin/sh", "-c",
        "(while [ ! -e '" + go + "' ]; do sleep 0.01; done; exit 3) & echo $! > '" + pidFile
            + ".tmp' && mv '" + pidFile + ".tmp' '" + pidFile + "' && exec sleep 600").start();
    try {
      await().atMost(WAIT).until(() -> Files.exists(pidFile));
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      assertEquals(parent.pid(), ProcessHandle.of(pid).flatMap(ProcessHandle::parent)
          .map(ProcessHandle::pid).orElse(-1L), "a grandchild, not a child of this JVM");
      add(pid, NOTE_EXIT);
      Files.createFile(go);
      assertEquals(KEvent.of(pid, EVFILT_PROC, EV_CLEAR | EV_EOF | EV_ONESHOT, NOTE_EXIT,
          WaitStatus.ofExit(3), null), get());
    } finally {
      parent.destroyForcibly().waitFor();
    }
  }

  /**
   * The exit of {@link #exitsRacingTheirRegistrationAreAllReported}, made to happen inside the
   * registration every time: {@link ExitDuringWatch} kills the process once the pidfd source
   * watches it, and returns to the filter's attach only after the source has taken the exit up
   * and started reporting it, while the registration still holds the filter's lock.
   */
  @Test
  void exitWhileItsRegistrationIsUnderWayIsReported() throws Exception {
    ExitDuringWatch source = new ExitDuringWatch(ProcFilter.defaultSource());
    Filters.add(SLOT, new ProcFilter(source, null));
    installed = true;
    int pid = spawn("exec sleep 600");
    kq.kevent(new KEvent[] {KEvent.of(pid, SLOT, EV_ADD, NOTE_EXIT, 0, null)}, null,
        Duration.ZERO);
    assertTrue(source.exitSeenDuringWatch, "the source saw the exit before attach went on");
    assertEquals(KEvent.of(pid, SLOT, EV_CLEAR | EV_EOF | EV_ONESHOT, NOTE_EXIT,
        WaitStatus.ofSignal(LibC.SIGKILL, false), null), get());
  }

  @Test
  void noDescriptorOrWatchIsLeftBehind() throws Exception {
    PidFdProcessExitSource source = (PidFdProcessExitSource) ProcFilter.defaultSource();
    int before = openDescriptors();
    List<Integer> pids = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      pids.add(spawn("exec sleep 600"));
    }
    for (int pid : pids) {
      add(pid, NOTE_EXIT);
    }
    assertEquals(before + 50, openDescriptors());
    for (int i = 0; i < 25; i++) { // half deleted before they exit, half reported
      kq.kevent(new KEvent[] {KEvent.of(pids.get(i), EVFILT_PROC, io.kqueue4j.KEvent.EV_DELETE, 0, 0,
          null)}, null, Duration.ZERO);
    }
    for (int pid : pids) {
      LibC.kill(pid, LibC.SIGTERM);
    }
    for (int i = 0; i < 25; i++) {
      get();
    }
    await().atMost(WAIT).until(() -> source.watched() == 0 && openDescriptors() == before);
  }

  @Test
  void procStatParsesCommandsWithSpacesAndParentheses() {
    // fields 1 and 2, then 3 (state) and 4 (ppid), 47 more, and 52 (exit_code)
    String line = "42 (a) b (c)) Z 7" + " 0".repeat(47) + " 768\n";
    assertEquals(new ProcStat('Z', 7, 768), ProcStat.parse(line));
    assertNull(ProcStat.parse("garbage"));
    assertNull(ProcStat.read(Integer.MAX_VALUE));
  }

  private static int openDescriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return (int) fds.count();
    }
  }
}
