package io.kqueue4j.filters.conformance;

import static io.kqueue4j.KEvent.EVFILT_PROC;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.EV_DISABLE;
import static io.kqueue4j.KEvent.EV_ENABLE;
import static io.kqueue4j.KEvent.EV_RECEIPT;
import static io.kqueue4j.KEvent.EV_EOF;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static io.kqueue4j.KEvent.NOTE_EXEC;
import static io.kqueue4j.KEvent.NOTE_EXIT;
import static io.kqueue4j.KEvent.NOTE_FORK;
import static io.kqueue4j.KEvent.NOTE_CHILD;
import static io.kqueue4j.KEvent.NOTE_TRACK;
import static io.kqueue4j.KEvent.NOTE_TRACKERR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.proc.ProcFilter;
import io.kqueue4j.filters.proc.WaitStatus;
import io.kqueue4j.conformance.KQueueTestSupport;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * {@code EVFILT_PROC} after FreeBSD's {@code tests/sys/kqueue/libkqueue/proc.c}, on real
 * processes ({@code /bin/sh -c ...} started with {@link ProcessBuilder}), written against the
 * public API so that every backend and every exit source runs it: subclasses open the queue and
 * say which source they expect.
 */
@DisabledOnOs(OS.WINDOWS)
public abstract class ProcConformanceTest extends KQueueTestSupport {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final List<Process> started = new ArrayList<>();

  /** The {@link ProcFilter#sourceName()} this configuration must run on. */
  protected abstract String expectedSource();

  /** How many children {@link #manyConcurrentChildren()} starts. */
  protected int concurrentChildren() {
    return 200;
  }

  @AfterEach
  void killLeftovers() {
    started.forEach(Process::destroyForcibly);
  }

  /** Starts {@code sh -c 'read x; script'}: it runs {@code script} once {@link #release} is called. */
  protected Process held(String script) throws IOException {
    Process p = new ProcessBuilder("/bin/sh", "-c", "read x; " + script)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    started.add(p);
    return p;
  }

  protected static void release(Process p) throws IOException {
    OutputStream in = p.getOutputStream();
    in.write('\n');
    in.close();
  }

  private KEvent exitEvent(long pid, long status, Object udata) {
    return KEvent.of(pid, EVFILT_PROC, EV_CLEAR | EV_EOF | EV_ONESHOT, NOTE_EXIT, status, udata);
  }

  @Test
  void runsOnTheExpectedSource() {
    assertEquals(expectedSource(), ProcFilter.sourceName(), ProcFilter.describeSource());
  }

  @Test
  @DisplayName("test_kevent_proc_add")
  void testKeventProcAdd() throws Exception {
    Process child = held("exit 0");
    add(child.pid(), EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, null);
    assertNoEvents();
  }

  @Test
  @DisplayName("add_and_delete")
  void addAndDelete() throws Exception {
    Process child = held("exit 0");
    try (KQueue witness = newQueue()) { // the same exit, seen by another queue, proves it was posted
      witness.kevent(new KEvent[] {KEvent.of(child.pid(), EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, null)},
          null, Duration.ZERO);
      add(child.pid(), EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, null);
      add(child.pid(), EVFILT_PROC, EV_DELETE, 0, 0, null);
      release(child);
      assertEquals(1, witness.kevent(null, new KEvent[1], WAIT));
      assertNoEvents();
    }
  }

  @Test
  @DisplayName("test_kevent_proc_get")
  void testKeventProcGet() throws Exception {
    Process child = held("exit 0");
    Object udata = "child";
    add(child.pid(), EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, udata);
    release(child);
    assertEquals(exitEvent(child.pid(), 0, udata), get(WAIT));
    assertEquals(Errno.ENOENT, change(child.pid(), EVFILT_PROC, EV_DELETE, 0, 0, null).data(),
        "delivered once, then dropped");
  }

  @Test
  @DisplayName("test_kevent_proc_exit_status_error")
  void testKeventProcExitStatusError() throws Exception {
    Process child = held("exit 3");
    add(child.pid(), EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, null);
    release(child);
    KEvent exit = get(WAIT);
    assertEquals(exitEvent(child.pid(), WaitStatus.ofExit(3), null), exit);
    assertTrue(WaitStatus.exited(exit.data()));
    assertEquals(3, WaitStatus.exitStatus(exit.data()));
  }

  @Test
  void killedBySignal() throws Exception {
    Process child = held("exit 0");
    add(child.pid(), EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, null);
    child.destroyForcibly(); // SIGKILL
    KEvent exit = get(WAIT);
    assertTrue(WaitStatus.signaled(exit.data()), WaitStatus.describe(exit.data()));
    assertEquals(9, WaitStatus.termSignal(exit.data()));
    assertEquals(NOTE_EXIT, exit.fflags());
  }

  @Test
  void killedBySignalItSendsItself() throws Exception {
    Process child = held("kill -TERM $$");
    add(child.pid(), EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, null);
    release(child);
    KEvent exit = get(WAIT);
    assertEquals("killed by signal 15", WaitStatus.describe(exit.data()));
  }

  @Test
  @DisplayName("test_kevent_proc_multiple_kqueue")
  void testKeventProcMultipleKqueue() throws Exception {
    Process child = held("exit 5");
    try (KQueue other = newQueue()) {
      add(child.pid(), EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, "mine");
      other.kevent(new KEvent[] {KEvent.of(child.pid(), EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, "other")},
          null, Duration.ZERO);
      release(child);
      assertEquals(exitEvent(child.pid(), WaitStatus.ofExit(5), "mine"), get(WAIT));
      KEvent[] out = new KEvent[1];
      assertEquals(1, other.kevent(null, out, WAIT));
      assertEquals(exitEvent(child.pid(), WaitStatus.ofExit(5), "other"), out[0]);
    }
  }

  @Test
  void deletingOneOfTwoWatchersKeepsTheOther() throws Exception {
    Process child = held("exit 6");
    try (KQueue other = newQueue()) {
      add(child.pid(), EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, null);
      other.kevent(new KEvent[] {KEvent.of(child.pid(), EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, null)},
          null, Duration.ZERO);
      other.kevent(new KEvent[] {KEvent.of(child.pid(), EVFILT_PROC, EV_DELETE, 0, 0, null)},
          null, Duration.ZERO);
      release(child);
      assertEquals(WaitStatus.ofExit(6), get(WAIT).data());
    }
  }

  @Test
  void goneProcessIsEsrch() throws Exception {
    Process child = held("exit 0");
    release(child);
    child.waitFor(); // reaped by the JDK
    KEvent error = change(child.pid(), EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, null);
    assertEquals(Errno.ESRCH, error.data());
    KQueueException thrown = assertThrows(KQueueException.class,
        () -> add(Integer.MAX_VALUE, EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, null));
    assertEquals(Errno.ESRCH, thrown.errno());
    assertTrue(thrown.getMessage().contains("no such process"), thrown.getMessage());
    assertEquals(Errno.ESRCH, change(0, EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, null).data());
    assertEquals(Errno.ESRCH, change(-1, EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, null).data());
  }

  /**
   * Why {@code NOTE_FORK} cannot be registered here (the refusal's exception), or null when it
   * can: probed on a held child, whose knote is deleted again.
   */
  protected KQueueException processEventsRefusal() throws Exception {
    Process child = held("exit 0");
    try {
      add(child.pid(), EVFILT_PROC, EV_ADD, NOTE_FORK, 0, null);
      add(child.pid(), EVFILT_PROC, EV_DELETE, 0, 0, null);
      return null;
    } catch (KQueueException e) {
      return e;
    }
  }

  private void assumeProcessEvents() throws Exception {
    KQueueException refusal = processEventsRefusal();
    Assumptions.assumeTrue(refusal == null,
        () -> "NOTE_FORK/NOTE_EXEC/NOTE_TRACK are refused here: " + refusal.getMessage());
  }

  @Test
  @DisplayName("proc_track refused")
  void procTrackIsRefusedWithAReason() throws Exception {
    KQueueException refusal = processEventsRefusal();
    Assumptions.assumeTrue(refusal != null, "process events are available here");
    Process child = held("exit 0");
    for (int interest : new int[] {NOTE_TRACK, NOTE_FORK, NOTE_EXEC, NOTE_EXIT | NOTE_FORK}) {
      KQueueException e = assertThrows(KQueueException.class,
          () -> add(child.pid(), EVFILT_PROC, EV_ADD, interest, 0, null));
      assertTrue(e.errno() == Errno.EOPNOTSUPP || e.errno() == Errno.EPERM, e.getMessage());
      assertTrue(e.getMessage().contains("forks and execs"), e.getMessage());
    }
    add(child.pid(), EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, null); // exits alone still work
    release(child);
    assertEquals(NOTE_EXIT, get(WAIT).fflags());
  }

  @Test
  @DisplayName("NOTE_FORK")
  void noteForkOnAShellThatForks() throws Exception {
    assumeProcessEvents();
    Process shell = held("sleep 0.3 & wait");
    add(shell.pid(), EVFILT_PROC, EV_ADD, NOTE_FORK | NOTE_EXIT, 0, "sh");
    release(shell);
    KEvent fork = get(WAIT);
    assertEquals(KEvent.of(shell.pid(), EVFILT_PROC, EV_CLEAR, NOTE_FORK, 0, "sh"), fork);
    KEvent exit = get(WAIT);
    assertEquals(NOTE_EXIT, exit.fflags(), exit.toString());
    assertNoEvents();
  }

  @Test
  @DisplayName("NOTE_EXEC")
  void noteExecOnAShellThatExecs() throws Exception {
    assumeProcessEvents();
    Process shell = held("exec sleep 0.2");
    add(shell.pid(), EVFILT_PROC, EV_ADD, NOTE_EXEC | NOTE_FORK, 0, null);
    release(shell);
    KEvent exec = get(WAIT);
    assertEquals(KEvent.of(shell.pid(), EVFILT_PROC, EV_CLEAR, NOTE_EXEC, 0, null), exec);
    shell.waitFor();
    assertNoEvents(); // no fork, and an exit nobody asked for is dropped
  }

  @Test
  @DisplayName("proc_track; sleep 1")
  void procTrack() throws Exception {
    procTrack("sleep 0.3 & wait; exit 3");
  }

  @Test
  @DisplayName("proc_track; sleep 0")
  void procTrackOfAChildThatExitsAtOnce() throws Exception {
    procTrack("true & wait; exit 3"); // a forked subshell that exits, likely reaped before tracked
  }

  /** FreeBSD's {@code proc_track}: {@code script} forks one child that exits 0, then exits 3. */
  private void procTrack(String script) throws Exception {
    assumeProcessEvents();
    Process shell = held(script);
    long pid = shell.pid();
    add(pid, EVFILT_PROC, EV_ADD | EV_ENABLE, NOTE_TRACK | NOTE_EXIT | NOTE_FORK, 0, "tracked");
    release(shell);
    long child = -1;
    boolean childExited = false;
    boolean parentForked = false;
    boolean parentExited = false;
    KEvent[] out = new KEvent[8];
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!(parentForked && childExited && parentExited) && System.nanoTime() < deadline) {
      int n = kq.kevent(null, out, Duration.ofSeconds(1));
      for (int i = 0; i < n; i++) {
        KEvent ev = out[i];
        assertEquals("tracked", ev.udata(), ev.toString());
        assertTrue((ev.fflags() & NOTE_CHILD) == 0 || (ev.fflags() & NOTE_EXIT) == 0,
            "NOTE_CHILD and NOTE_EXIT in one event: " + ev);
        if ((ev.fflags() & NOTE_CHILD) != 0) {
          assertEquals(-1, child, "one NOTE_CHILD: " + ev);
          assertEquals(pid, ev.data(), "NOTE_CHILD's data is the parent: " + ev);
          child = ev.ident();
        } else if (ev.ident() == pid && (ev.fflags() & NOTE_FORK) != 0 && !parentForked) {
          parentForked = true;
          assertEquals(0, ev.fflags() & NOTE_TRACKERR, ev.toString());
          parentExited = (ev.fflags() & NOTE_EXIT) != 0;
        } else if (ev.ident() == pid && ev.fflags() == NOTE_EXIT) {
          assertEquals(WaitStatus.ofExit(3), ev.data());
          parentExited = true;
        } else if (ev.ident() == child && ev.fflags() == NOTE_EXIT && !childExited) {
          assertEquals(WaitStatus.ofExit(0), ev.data(), "the child exits 0");
          childExited = true;
        } else {
          throw new AssertionError("spurious " + ev);
        }
      }
    }
    assertTrue(parentForked && child > 0 && childExited && parentExited,
        "fork " + parentForked + ", NOTE_CHILD " + child + ", child exit " + childExited
            + ", parent exit " + parentExited);
    assertNoEvents();
  }

  @Test
  void threadsAreNotForks() throws Exception {
    assumeProcessEvents();
    long self = ProcessHandle.current().pid();
    Process sentinel = held("exec true"); // its exec, seen after the thread, orders the two
    add(sentinel.pid(), EVFILT_PROC, EV_ADD, NOTE_EXEC, 0, "sentinel");
    add(self, EVFILT_PROC, EV_ADD, NOTE_FORK, 0, "self");
    try {
      Thread thread = new Thread(() -> { });
      thread.start();
      thread.join();
      release(sentinel);
      // `true` exits at once: its exit may already have joined the exec (EV_EOF|EV_ONESHOT)
      KEvent exec = get(WAIT);
      assertEquals(KEvent.of(sentinel.pid(), EVFILT_PROC, EV_CLEAR, NOTE_EXEC, 0, "sentinel"),
          KEvent.of(exec.ident(), exec.filter(), exec.flags() & ~(EV_EOF | EV_ONESHOT),
              exec.fflags(), exec.data(), exec.udata()),
          "the sentinel's exec first: the thread was no fork");
      assertNoEvents();
      Process marker = held("exit 0"); // a process is
      assertEquals(KEvent.of(self, EVFILT_PROC, EV_CLEAR, NOTE_FORK, 0, "self"), get(WAIT));
      release(marker);
    } finally {
      add(self, EVFILT_PROC, EV_DELETE, 0, 0, null);
    }
  }

  @Test
  void exitWithoutInterestIsNotDelivered() throws Exception {
    Process child = held("exit 0");
    try (KQueue witness = newQueue()) {
      add(child.pid(), EVFILT_PROC, EV_ADD, 0, 0, null);
      witness.kevent(new KEvent[] {KEvent.of(child.pid(), EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, null)},
          null, Duration.ZERO);
      release(child);
      assertEquals(1, witness.kevent(null, new KEvent[1], WAIT));
      assertNoEvents();
      // EV_DROP: the knote goes away with the exit; probe with a harmless EV_ENABLE receipt
      org.awaitility.Awaitility.await().atMost(WAIT).untilAsserted(() -> {
        assertNoEvents();
        KEvent[] out = new KEvent[1];
        kq.kevent(new KEvent[] {
          KEvent.of(child.pid(), EVFILT_PROC, EV_ENABLE | EV_RECEIPT, 0, 0, null)}, out,
            Duration.ZERO);
        assertEquals(Errno.ENOENT, out[0].data());
      });
    }
  }

  @Test
  void disabledKnoteGetsTheExitWhenEnabled() throws Exception {
    Process child = held("exit 4");
    try (KQueue witness = newQueue()) {
      add(child.pid(), EVFILT_PROC, EV_ADD | EV_DISABLE, NOTE_EXIT, 0, null);
      witness.kevent(new KEvent[] {KEvent.of(child.pid(), EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, null)},
          null, Duration.ZERO);
      release(child);
      assertEquals(1, witness.kevent(null, new KEvent[1], WAIT));
      assertNoEvents();
      add(child.pid(), EVFILT_PROC, EV_ENABLE, NOTE_EXIT, 0, null);
      assertEquals(WaitStatus.ofExit(4), get(Duration.ZERO).data());
    }
  }

  @Test
  void manyConcurrentChildren() throws Exception {
    int n = concurrentChildren();
    Map<Long, Integer> expected = new HashMap<>();
    List<Process> children = new ArrayList<>();
    KEventBuffer changes = new KEventBuffer(n);
    for (int i = 0; i < n; i++) {
      Process child = held("exit " + (i % 100));
      children.add(child);
      expected.put(child.pid(), WaitStatus.ofExit(i % 100));
      changes.add(child.pid(), EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, null);
    }
    kq.kevent(changes, null, 0);
    for (Process child : children) {
      release(child);
    }
    KEventBuffer events = new KEventBuffer(256);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Map<Long, Long> seen = new HashMap<>();
    while (seen.size() < n && System.nanoTime() < deadline) {
      kq.kevent(null, events, Duration.ofSeconds(1).toNanos());
      for (int i = 0; i < events.size(); i++) {
        assertEquals(null, seen.put(events.ident(i), events.data(i)), "one exit per child");
        assertEquals(NOTE_EXIT, events.fflags(i));
      }
    }
    assertEquals(n, seen.size(), "exits seen");
    for (Map.Entry<Long, Long> e : seen.entrySet()) {
      assertEquals((long) expected.get(e.getKey()), e.getValue(), "status of pid " + e.getKey());
    }
    assertNoEvents();
  }
}
