package io.kqueue4j.filters.proc;

import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.EV_EOF;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static io.kqueue4j.KEvent.NOTE_CHILD;
import static io.kqueue4j.KEvent.NOTE_EXEC;
import static io.kqueue4j.KEvent.NOTE_EXIT;
import static io.kqueue4j.KEvent.NOTE_FORK;
import static io.kqueue4j.KEvent.NOTE_TRACK;
import static io.kqueue4j.KEvent.NOTE_TRACKERR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.conformance.KQueueTestSupport;
import io.kqueue4j.kernel.Filters;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * {@link ProcFilter}'s handling of forks, execs, {@code NOTE_TRACK} and lost events, on real
 * processes (for pids, exits and {@code ESRCH}) with a {@link ManualProcessEventSource} standing
 * in for the OS, so that the orderings FreeBSD's {@code proc.c} worries about (a child that exits
 * before its {@code NOTE_CHILD} is read) and the refusals happen on demand. The real source runs
 * the same cases in native-linux's conformance suite. The filter is installed in a free filter
 * slot, so the built-in {@code EVFILT_PROC} is untouched.
 */
@DisabledOnOs(OS.WINDOWS)
class ProcFilterEventsTest extends KQueueTestSupport {
  private static final short SLOT = -29;
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final List<Process> started = new ArrayList<>();
  private boolean installed;

  @Override
  protected KQueue newQueue() throws KQueueException {
    return KQueue.emulated();
  }

  private ProcFilter install(ManualProcessEventSource events) throws KQueueException {
    ProcFilter filter = new ProcFilter(new PortableProcessExitSource(), events);
    Filters.add(SLOT, filter);
    installed = true;
    return filter;
  }

  @AfterEach
  void uninstall() throws KQueueException {
    started.forEach(Process::destroyForcibly);
    kq.close();
    if (installed) {
      Filters.remove(SLOT);
    }
  }

  private Process held(String script) throws IOException {
    Process p = new ProcessBuilder("/bin/sh", "-c", "read x; " + script).start();
    started.add(p);
    return p;
  }

  private static void release(Process p) throws IOException {
    p.getOutputStream().write('\n');
    p.getOutputStream().close();
  }

  @Test
  void withoutASourceForkExecAndTrackAreEopnotsupp() throws Exception {
    Filters.add(SLOT, new ProcFilter(new PortableProcessExitSource(), null));
    installed = true;
    Process p = held("exit 0");
    for (int interest : new int[] {NOTE_FORK, NOTE_EXEC, NOTE_TRACK, NOTE_EXIT | NOTE_FORK}) {
      KQueueException e = assertThrows(KQueueException.class,
          () -> add(p.pid(), SLOT, EV_ADD, interest, 0, null));
      assertEquals(Errno.EOPNOTSUPP, e.errno());
      assertTrue(e.getMessage().contains("none is available here"), e.getMessage());
    }
  }

  @Test
  void aRefusingSourceFailsRegistrationWithItsErrnoAndReason() throws Exception {
    KQueueException refusal = new KQueueException("kevent", Errno.EPERM,
        "process events need CAP_NET_ADMIN");
    ProcFilter filter = install(new ManualProcessEventSource(refusal));
    Process p = held("exit 5");
    KQueueException e = assertThrows(KQueueException.class,
        () -> add(p.pid(), SLOT, EV_ADD, NOTE_FORK | NOTE_EXIT, 0, null));
    assertEquals(Errno.EPERM, e.errno());
    assertTrue(e.getMessage().contains("CAP_NET_ADMIN"), e.getMessage());
    assertNoEvents();
    add(p.pid(), SLOT, EV_ADD, NOTE_EXIT, 0, null); // the refused knote left nothing behind
    release(p);
    assertEquals(KEvent.of(p.pid(), SLOT, EV_CLEAR | EV_EOF | EV_ONESHOT, NOTE_EXIT,
        WaitStatus.ofExit(5), null), get(WAIT));
    assertEquals(0, filter.eventSubscribers());
  }

  @Test
  void forkAndExecAccumulateAndSubscriptionIsLazy() throws Exception {
    ManualProcessEventSource events = new ManualProcessEventSource(null);
    ProcFilter filter = install(events);
    Process p = held("exit 0");
    add(p.pid(), SLOT, EV_ADD, NOTE_EXIT, 0, null);
    assertFalse(events.subscribed(), "NOTE_EXIT alone needs no process events");
    add(p.pid(), SLOT, EV_ADD, NOTE_FORK | NOTE_EXEC, 0, "u");
    assertTrue(events.subscribed());
    events.fork(p.pid(), 999_999);
    events.fork(p.pid(), 999_998);
    events.exec(p.pid());
    events.fork(p.pid() + 1, 999_997); // another process: not ours
    assertEquals(KEvent.of(p.pid(), SLOT, EV_CLEAR, NOTE_FORK | NOTE_EXEC, 0, "u"), get());
    assertNoEvents();
    add(p.pid(), SLOT, EV_ADD, NOTE_EXIT, 0, "u"); // interest dropped: so is the subscription
    assertFalse(events.subscribed());
    add(p.pid(), SLOT, EV_ADD, NOTE_EXEC, 0, "u");
    assertTrue(events.subscribed());
    add(p.pid(), SLOT, EV_DELETE, 0, 0, null);
    assertFalse(events.subscribed());
    assertEquals(2, events.subscriptions());
    assertEquals(0, filter.eventSubscribers());
  }

  /**
   * FreeBSD's filt_proc drops a knote at an exit nobody asked for only when nothing else is
   * pending ({@code kn_fflags == 0}): an exec seen just before the exit, not yet read, goes out
   * with {@code EV_EOF|EV_ONESHOT} and without {@code NOTE_EXIT}. Dropping it regardless lost the
   * exec of a process that exits right after it ({@code exec true}).
   */
  @Test
  void anExecJustBeforeAnUnwatchedExitIsStillDelivered() throws Exception {
    ManualProcessEventSource events = new ManualProcessEventSource(null);
    install(events);
    Process p = held("exit 5");
    add(p.pid(), SLOT, EV_ADD, NOTE_EXEC, 0, "u");
    events.exec(p.pid());
    release(p);
    p.waitFor();
    events.exit(p.pid(), WaitStatus.ofExit(5)); // posted before anything is read
    assertEquals(KEvent.of(p.pid(), SLOT, EV_CLEAR | EV_EOF | EV_ONESHOT, NOTE_EXEC, 0, "u"),
        get());
    assertNoEvents();
  }

  @Test
  void trackRegistersTheChildWithNoteChildThenItsExitApart() throws Exception {
    ManualProcessEventSource events = new ManualProcessEventSource(null);
    install(events);
    Process parent = held("exit 0");
    Process child = held("exit 7");
    add(parent.pid(), SLOT, EV_ADD, NOTE_TRACK | NOTE_FORK | NOTE_EXIT, 0, "p");
    events.fork(parent.pid(), child.pid());
    release(child);
    child.waitFor();
    events.exit(child.pid(), WaitStatus.ofExit(7)); // posted before anything is read
    KEvent[] seen = new KEvent[3];
    for (int i = 0; i < seen.length; i++) {
      seen[i] = get(WAIT);
    }
    List<KEvent> events3 = List.of(seen);
    assertTrue(events3.contains(KEvent.of(parent.pid(), SLOT, EV_CLEAR, NOTE_FORK, 0, "p")),
        events3.toString());
    assertTrue(events3.contains(KEvent.of(child.pid(), SLOT, EV_CLEAR, NOTE_CHILD, parent.pid(),
        "p")), events3.toString());
    KEvent exit = KEvent.of(child.pid(), SLOT, EV_CLEAR | EV_EOF | EV_ONESHOT, NOTE_EXIT,
        WaitStatus.ofExit(7), "p");
    assertEquals(exit, seen[2], "the exit after NOTE_CHILD, not with it: " + events3);
    assertNoEvents();
  }

  @Test
  void aChildThatCannotBeTrackedGivesNoteTrackerr() throws Exception {
    ManualProcessEventSource events = new ManualProcessEventSource(null);
    install(events);
    Process parent = held("exit 0");
    add(parent.pid(), SLOT, EV_ADD, NOTE_TRACK | NOTE_FORK, 0, null);
    events.fork(parent.pid(), Integer.MAX_VALUE + 1L); // no such pid: the registration fails
    assertEquals(KEvent.of(parent.pid(), SLOT, EV_CLEAR, NOTE_FORK | NOTE_TRACKERR, 0, null),
        get());
    assertNoEvents();
  }

  @Test
  void aTrackedChildReapedAlreadyHasItsExitFromTheEventSource() throws Exception {
    ManualProcessEventSource events = new ManualProcessEventSource(null);
    install(events);
    Process parent = held("exit 0");
    Process gone = held("exit 4");
    release(gone);
    gone.waitFor(); // reaped before the fork is handled, as a short-lived grandchild may be
    add(parent.pid(), SLOT, EV_ADD, NOTE_TRACK | NOTE_EXIT, 0, null);
    events.fork(parent.pid(), gone.pid());
    assertEquals(KEvent.of(gone.pid(), SLOT, EV_CLEAR, NOTE_CHILD, parent.pid(), null), get());
    assertNoEvents();
    events.exit(gone.pid(), WaitStatus.ofExit(4)); // the exit message that follows the fork
    assertEquals(KEvent.of(gone.pid(), SLOT, EV_CLEAR | EV_EOF | EV_ONESHOT, NOTE_EXIT,
        WaitStatus.ofExit(4), null), get());
    assertNoEvents();
  }

  @Test
  void anExitWaitsForTheEventSourceSoThatItNeverOvertakesAFork() throws Exception {
    ManualProcessEventSource events = new ManualProcessEventSource(null);
    install(events);
    Process p = held("exit 2");
    add(p.pid(), SLOT, EV_ADD, NOTE_FORK | NOTE_EXIT, 0, null);
    release(p);
    p.waitFor(); // the exit source sees it now, but the fork it made is still in the event stream
    events.fork(p.pid(), 999_999);
    events.exit(p.pid(), WaitStatus.ofExit(2));
    assertEquals(KEvent.of(p.pid(), SLOT, EV_CLEAR | EV_EOF | EV_ONESHOT, NOTE_FORK | NOTE_EXIT,
        WaitStatus.ofExit(2), null), get(WAIT));
    assertNoEvents();
  }

  @Test
  void aDeferredExitIsReportedWhenTheLastKnoteOnForksGoes() throws Exception {
    ManualProcessEventSource events = new ManualProcessEventSource(null);
    install(events);
    Process p = held("exit 6");
    try (KQueue forks = KQueue.emulated()) {
      forks.kevent(new KEvent[] {KEvent.of(p.pid(), SLOT, EV_ADD, NOTE_FORK, 0, null)}, null,
          Duration.ZERO);
      add(p.pid(), SLOT, EV_ADD, NOTE_EXIT, 0, null);
      release(p);
      p.waitFor();
      forks.kevent(new KEvent[] {KEvent.of(p.pid(), SLOT, EV_DELETE, 0, 0, null)}, null,
          Duration.ZERO); // no source left to wait for, whether or not the exit was seen yet
      assertFalse(events.subscribed());
      assertEquals(KEvent.of(p.pid(), SLOT, EV_CLEAR | EV_EOF | EV_ONESHOT, NOTE_EXIT,
          WaitStatus.ofExit(6), null), get(WAIT));
    }
  }

  @Test
  void lostEventsAreReportedAsNoteTrackerr() throws Exception {
    ManualProcessEventSource events = new ManualProcessEventSource(null);
    install(events);
    Process watchedForForks = held("exit 0");
    Process watchedForExit = held("exit 0");
    add(watchedForForks.pid(), SLOT, EV_ADD, NOTE_FORK, 0, null);
    add(watchedForExit.pid(), SLOT, EV_ADD, NOTE_EXIT, 0, null);
    events.lose();
    assertEquals(KEvent.of(watchedForForks.pid(), SLOT, EV_CLEAR, NOTE_TRACKERR, 0, null), get());
    assertNoEvents(); // a knote on exits alone lost nothing: exits come from their own source
  }
}
