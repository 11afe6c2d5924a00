package io.kqueue4j.filters.proc;

import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DISPATCH;
import static io.kqueue4j.KEvent.EV_DROP;
import static io.kqueue4j.KEvent.EV_ENABLE;
import static io.kqueue4j.KEvent.EV_EOF;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static io.kqueue4j.KEvent.NOTE_CHILD;
import static io.kqueue4j.KEvent.NOTE_EXEC;
import static io.kqueue4j.KEvent.NOTE_EXIT;
import static io.kqueue4j.KEvent.NOTE_FORK;
import static io.kqueue4j.KEvent.NOTE_TRACK;
import static io.kqueue4j.KEvent.NOTE_TRACKERR;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.spi.ProcessEventSource;
import io.kqueue4j.filters.spi.ProcessExitSource;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.KEventSink;
import io.kqueue4j.kernel.KNote;
import io.kqueue4j.kernel.KNoteList;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;

/**
 * {@code EVFILT_PROC}: the exit, forks and execs of a process; see {@code filt_procattach}, {@code
 * filt_proc} and {@code knote_fork} in FreeBSD's {@code kern_event.c}, whose behaviour this follows.
 *
 * <ul>
 *   <li>{@code ident} is a pid, of a child of this JVM or of any process it may see. A pid with no
 *       process fails with {@code ESRCH}; so does a zombie unless {@code NOTE_EXIT} is asked for.
 *       {@code EV_CLEAR} is set automatically.
 *   <li>{@code NOTE_EXIT} is delivered once, with {@code EV_EOF | EV_ONESHOT} and the {@code wait(2)}
 *       status in {@code data} (decode it with {@link WaitStatus}), after which the knote is gone.
 *       A process that exits while it is being registered, or is a zombie already, is reported at
 *       once. Several knotes (of one or many kqueues) on one pid share one watch.
 *   <li>The status: for a child of this JVM that the JDK did not start, exact (from {@code waitid}
 *       with {@code WNOWAIT}, which leaves the child to be reaped by its owner); for a child the JDK
 *       started, which the JDK reaps at once, the JDK's exit value translated back (see {@link
 *       WaitStatus#ofJdkExitValue}), or exact when the native source reads it first; for other
 *       processes, exact when the native source finds the zombie still there, else 0. The sources
 *       and what they can tell are in {@link #describeSource()}.
 *   <li>{@code NOTE_FORK} (the process created a process; threads do not count) and {@code
 *       NOTE_EXEC} accumulate in {@code fflags} until delivered, with {@code data} 0. They need a
 *       {@link ProcessEventSource} (on Linux, the process-event connector): without one, or when
 *       the OS refuses it to this process, registration fails with {@code EOPNOTSUPP} or {@code
 *       EPERM} and a message naming the cause, rather than being accepted and never reported.
 *   <li>{@code NOTE_TRACK}: when the process forks, a knote for the child is registered in the same
 *       kqueue with the parent's flags, {@code fflags} and {@code udata}; it first delivers {@code
 *       NOTE_CHILD} with {@code data} = the parent's pid, never combined with another note, then
 *       the child's own events (its {@code NOTE_EXIT} included), and tracks its forks in turn. When
 *       that registration fails the parent's {@code NOTE_FORK} carries {@code NOTE_TRACKERR}.
 *   <li>Lost events: when the source reports that events may have been dropped (a full netlink
 *       buffer), every knote with {@code NOTE_FORK}, {@code NOTE_EXEC} or {@code NOTE_TRACK} gets
 *       {@code NOTE_TRACKERR}, so a knote whose events may be missing does not stay silent.
 *   <li>An exit without {@code NOTE_EXIT} interest is not delivered, as modern FreeBSD drops it:
 *       the knote gets {@code EV_DROP} and the scan removes it without an event; unless notes are
 *       still undelivered ({@code kn_fflags != 0}, say a {@code NOTE_EXEC} just before the exit),
 *       which then go out with {@code EV_EOF|EV_ONESHOT} and without {@code NOTE_EXIT}.
 * </ul>
 *
 * <p>The exit of every watched process is learnt from one {@link ProcessExitSource} for the JVM:
 * the best one on the class path (on Linux, native-linux's pidfd source: one epoll thread for all
 * processes), else the portable one on {@link ProcessHandle#onExit()}. {@link #sourceName()} says
 * which. A tracked child that is gone before its knote is registered has its exit reported by the
 * process-event source, whose exit message for it is still to come.
 */
public final class ProcFilter implements FilterOps {

  /** The hint a process's exit posts to its knote list ({@code NOTE_EXIT}). */
  static final long HINT_EXIT = NOTE_EXIT & 0xffffffffL;
  static final long HINT_FORK = NOTE_FORK & 0xffffffffL;
  static final long HINT_EXEC = NOTE_EXEC & 0xffffffffL;
  /** Events may have been lost. */
  static final long HINT_LOST = NOTE_TRACKERR;

  /** The interests that need a {@link ProcessEventSource}. */
  private static final int EVENTS = NOTE_FORK | NOTE_EXEC | NOTE_TRACK;
  /** The flags a tracked child's knote inherits from its parent's. */
  private static final int INHERITED = EV_ONESHOT | EV_CLEAR | EV_DISPATCH;

  /** Set while this thread registers a tracked child ({@code EV_FLAG1} in FreeBSD). */
  private static final ThreadLocal<Tracking> TRACKING = new ThreadLocal<>();

  private final ProcessExitSource source;
  private final ProcessEventSource events;
  private final SharedSubscription subscription;
  /** Watched processes by pid ({@code p_klist} of each); guarded by itself. */
  private final Map<Long, Watched> watched = new HashMap<>();
  /** Tracked children whose exit the process-event source reports; guarded by {@link #watched}. */
  private final Map<Long, Watched> exitsFromEvents = new HashMap<>();

  /** The filter on the best sources available here. */
  public ProcFilter() {
    this(ProcessExitSources.best(), ProcessEventSources.best());
  }

  /**
   * A filter on {@code source} for exits and the best process-event source available here.
   *
   * @param source the process-exit source
   */
  public ProcFilter(ProcessExitSource source) {
    this(source, ProcessEventSources.best());
  }

  /**
   * A filter on {@code source} for exits and {@code events} for forks and execs.
   *
   * @param source the process-exit source
   * @param events the process-event source, or null when there is none
   */
  public ProcFilter(ProcessExitSource source, ProcessEventSource events) {
    this.source = source;
    this.events = events;
    this.subscription = events == null ? null : new SharedSubscription(events, new Listener());
  }

  /**
   * The source the default filter uses: the best one available here.
   *
   * @return the best available process-exit source
   */
  public static ProcessExitSource defaultSource() {
    return ProcessExitSources.best();
  }

  /**
   * The name of the source the default filter uses: {@code "pidfd"}, or {@code "portable"}.
   *
   * @return the {@link ProcessExitSource#name()} of {@link #defaultSource()}
   */
  public static String sourceName() {
    return ProcessExitSources.best().name();
  }

  /**
   * Whether the default filter runs on the portable fallback ({@link ProcessHandle#onExit()}).
   *
   * @return {@code true} when no native process-exit source is available here
   */
  public static boolean isPortableFallback() {
    return ProcessExitSources.best() instanceof PortableProcessExitSource;
  }

  /**
   * The process-event source of the default filter ({@code NOTE_FORK}, {@code NOTE_EXEC}, {@code
   * NOTE_TRACK}), or null when none is available here. Being available, it may still refuse this
   * process at the first registration that needs it (see {@link ProcessEventSource#subscribe}).
   *
   * @return the best available process-event source, or {@code null}
   */
  public static ProcessEventSource defaultEventSource() {
    return ProcessEventSources.best();
  }

  /**
   * Which sources are active, which were found but are not usable here and why, and how exit
   * values of children the JDK reaps are read; for diagnostics.
   *
   * @return a one-line description
   */
  public static String describeSource() {
    ProcessEventSource events = ProcessEventSources.best();
    return "EVFILT_PROC source " + sourceName()
        + (isPortableFallback() ? " (fallback: ProcessHandle.onExit)" : "")
        + ", unusable: " + ProcessExitSources.rejected()
        + ", JDK exit values: " + JdkExitValues.mechanism()
        + ", fork/exec source " + (events == null ? "none" : events.name())
        + ", unusable: " + ProcessEventSources.rejected();
  }

  /**
   * The source this filter uses.
   *
   * @return the process-exit source given at construction
   */
  public ProcessExitSource source() {
    return source;
  }

  /** {@code filt_procattach}. */
  @Override
  public void attach(KNote kn) throws KQueueException {
    long pid = kn.ident();
    int interest = kn.sfflags();
    Tracking tracking = TRACKING.get();
    boolean tracked = tracking != null && tracking.filter == this && tracking.child == pid;
    if (pid <= 0 || pid > Integer.MAX_VALUE
        || !tracked && (interest & NOTE_EXIT) == 0 && source.hasExited(pid)) {
      throw noSuchProcess(pid);
    }
    kn.addFlags(EV_CLEAR);
    boolean subscribed = false;
    if ((interest & EVENTS) != 0) {
      subscribeFor(pid, interest);
      subscribed = true;
    }
    try {
      watch(kn, tracked ? tracking.parent : -1, subscribed);
    } catch (KQueueException | RuntimeException e) {
      if (subscribed) {
        subscription.release();
      }
      throw e;
    }
  }

  /** Takes a reference on the process-event subscription, or says why there is none. */
  private void subscribeFor(long pid, int interest) throws KQueueException {
    String what = "EVFILT_PROC ident " + pid + ": NOTE_FORK, NOTE_EXEC and NOTE_TRACK";
    if (events == null) {
      throw new KQueueException("kevent", Errno.EOPNOTSUPP, what
          + " need a source that sees forks and execs; none is available here (" + source.name()
          + " sees only exits; unusable: " + ProcessEventSources.rejected() + ")");
    }
    try {
      subscription.acquire();
    } catch (KQueueException e) {
      throw new KQueueException("kevent", e.errno(), what + " need the " + events.name()
          + " source, which sees forks and execs, and it refused: " + e.getMessage(), e);
    }
  }

  /**
   * Attaches {@code kn} to its process's list, starting the process's watch if it is the first.
   *
   * @param parent the parent's pid for a tracked child's knote, else -1
   */
  private void watch(KNote kn, long parent, boolean subscribed) throws KQueueException {
    long pid = kn.ident();
    boolean tracked = parent >= 0;
    synchronized (watched) {
      Watched process = watched.get(pid);
      boolean first = process == null;
      if (first) {
        process = new Watched(pid);
        watched.put(pid, process);
      }
      ProcNote note = new ProcNote(kn, process);
      note.subscribed = subscribed; // before the knote can see an exit, which releases it
      if (tracked) {
        becomeChild(kn, note, parent); // likewise: a zombie's exit may be posted at once
      }
      process.refs++;
      process.notes.add(note);
      kn.setHook(note);
      process.knotes.add(kn);
      if (first) {
        try {
          startWatch(process, tracked);
        } catch (KQueueException | RuntimeException e) {
          process.knotes.remove(kn);
          process.notes.remove(note);
          watched.remove(pid, process);
          if (e instanceof KQueueException) {
            throw (KQueueException) e;
          }
          throw new KQueueException("kevent", Errno.EIO,
              "EVFILT_PROC ident " + pid + ": " + source.name() + " source failed: " + e, e);
        }
      }
    }
  }

  /** The exit watch; a tracked child reaped already is left to the process-event source. */
  private void startWatch(Watched process, boolean tracked) throws KQueueException {
    long pid = process.pid;
    try {
      process.jdkExitValue = isChild(pid) ? JdkExitValues.of(pid) : null;
      process.watch = source.watch(pid, status -> exited(process, status));
    } catch (KQueueException e) {
      if (!tracked || e.errno() != Errno.ESRCH) {
        throw e;
      }
      // The fork is being handled on the event source's thread: the child's exit message follows.
      exitsFromEvents.put(pid, process);
      process.watch = () -> {
        synchronized (watched) {
          exitsFromEvents.remove(pid, process);
        }
      };
    }
  }

  /**
   * {@code EV_FLAG1}/{@code EV_FLAG2}: the knote of a tracked child starts with NOTE_CHILD; called
   * before the knote is on its list, which then publishes the state.
   */
  private static void becomeChild(KNote kn, ProcNote note, long parent) {
    if ((kn.flags() & EV_ONESHOT) != 0) {
      kn.setFflags(NOTE_CHILD); // a oneshot knote delivers its stored event as it is
      kn.setData(parent);
    } else {
      note.childOf = parent;
    }
  }

  /** {@code filt_procdetach}: the last knote of a process that has not exited ends its watch. */
  @Override
  public void detach(KNote kn) {
    ProcNote note = (ProcNote) kn.hook();
    Watched process = note.process;
    process.knotes.remove(kn);
    ProcessExitSource.Watch end = null;
    synchronized (watched) {
      process.notes.remove(note);
      if (--process.refs == 0 && watched.remove(process.pid, process)) {
        end = process.watch;
      }
    }
    if (end != null) {
      end.cancel();
    }
    unsubscribe(note);
    flushDeferredExit(process);
  }

  /**
   * A deferred exit whose process no longer has a knote on forks or execs is reported now: the
   * process-event source, which might stop with the last such knote, is no longer awaited.
   */
  private void flushDeferredExit(Watched process) {
    boolean flush;
    synchronized (watched) {
      flush = process.exitDeferred && !process.reported && !process.hasEventInterest();
    }
    if (flush) {
      reportWithJdkValue(process, process.deferredStatus);
    }
  }

  /** {@code filt_proc}. */
  @Override
  public boolean event(KNote kn, long hint) {
    ProcNote note = (ProcNote) kn.hook();
    if (hint == HINT_EXIT) {
      if (note.childOf >= 0) {
        note.exitPending = true; // after the NOTE_CHILD, never with it
        return true;
      }
      note.process.knotes.remove(kn); // knlist_remove_inevent: detached, detach() is not called
      unsubscribe(note);
      kn.addFlags(EV_EOF | EV_ONESHOT);
      if ((kn.sfflags() & NOTE_EXIT) == 0) {
        if (kn.fflags() == 0) {
          kn.addFlags(EV_DROP); // an exit nobody asked for: the scan drops the knote silently
        }
        return true; // notes still undelivered (an exec just before) go out with EV_EOF
      }
      kn.addFflags(NOTE_EXIT);
      kn.setData(note.process.status);
      return true;
    }
    if (hint == HINT_FORK || hint == HINT_EXEC) {
      kn.addFflags(kn.sfflags() & (int) hint);
      if (hint == HINT_FORK && note.trackFailed) {
        note.trackFailed = false;
        kn.addFflags(NOTE_TRACKERR);
      }
    } else if (hint == HINT_LOST && (kn.sfflags() & EVENTS) != 0) {
      kn.addFflags(NOTE_TRACKERR);
    }
    return kn.fflags() != 0 || note.childOf >= 0;
  }

  /**
   * {@code f_touch}: a tracked child's registration on a knote that exists already adds the
   * parent's interest and a pending {@code NOTE_CHILD} (FreeBSD would make a second knote); a
   * change that adds {@code NOTE_FORK}, {@code NOTE_EXEC} or {@code NOTE_TRACK} subscribes, which
   * fails with {@code EIO} and the refusal's message when the source refuses.
   */
  @Override
  public void touch(KNote kn, int flags, int fflags, long data) {
    ProcNote note = (ProcNote) kn.hook();
    Tracking tracking = TRACKING.get();
    boolean tracked = tracking != null && tracking.filter == this && tracking.child == kn.ident();
    int interest = tracked ? kn.sfflags() | fflags : fflags;
    if ((interest & EVENTS) != 0 && !note.subscribed) {
      try {
        subscribeFor(kn.ident(), interest);
      } catch (KQueueException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
      note.subscribed = true;
    }
    kn.setSfflags(interest);
    if (tracked) {
      note.childOf = tracking.parent;
    } else {
      kn.setSdata(data);
      if ((interest & EVENTS) == 0 && note.subscribed) {
        unsubscribe(note);
        // the list lock is held here, and the map's lock comes before it: flush from elsewhere
        ForkJoinPool.commonPool().execute(() -> flushDeferredExit(note.process));
      }
    }
  }

  /**
   * {@code f_process}: a pending {@code NOTE_CHILD} is delivered alone, with the parent's pid; the
   * child's other events (an exit that came meanwhile included) follow in the next scan.
   */
  @Override
  public boolean process(KNote kn, KEventSink out) {
    ProcNote note = (ProcNote) kn.hook();
    if (note.childOf < 0) {
      return FilterOps.super.process(kn, out);
    }
    out.put(kn.ident(), kn.filter(), kn.flags(), NOTE_CHILD, note.childOf, kn.udata());
    note.childOf = -1;
    if (note.exitPending) {
      note.exitPending = false;
      event(kn, HINT_EXIT);
      kn.activate(); // in the scan: queued again once this delivery is done
    } else if (kn.fflags() != 0) {
      kn.activate();
    }
    return true;
  }

  private void unsubscribe(ProcNote note) {
    if (note.subscribed) {
      note.subscribed = false;
      subscription.release();
    }
  }

  /**
   * From the exit source: the process is gone; with the JDK's exit value if the source had none.
   * A process watched for forks or execs waits for the process-event source's exit message
   * instead, which follows its last fork and exec in that source's stream: the exit source's
   * thread must not overtake them.
   */
  private void exited(Watched process, int status) {
    synchronized (watched) {
      if (process.reported) {
        return;
      }
      if (process.hasEventInterest()) {
        process.deferredStatus = status;
        process.exitDeferred = true;
        return;
      }
    }
    reportWithJdkValue(process, status);
  }

  /** Reports the exit with {@code status}, or the JDK's exit value when the status is unknown. */
  private void reportWithJdkValue(Watched process, int status) {
    CompletableFuture<Integer> jdk = process.jdkExitValue;
    if (status == ProcessExitSource.UNKNOWN_STATUS && jdk != null) {
      jdk.whenComplete((value, failure) ->
          report(process, value != null && value >= 0 ? WaitStatus.ofJdkExitValue(value) : 0));
    } else {
      report(process, status == ProcessExitSource.UNKNOWN_STATUS ? 0 : status);
    }
  }

  /** {@code KNOTE(&p->p_klist, NOTE_EXIT)}, once per process. */
  private void report(Watched process, int status) {
    synchronized (watched) {
      if (process.reported) {
        return;
      }
      process.reported = true;
      watched.remove(process.pid, process);
      exitsFromEvents.remove(process.pid, process);
    }
    process.knotes.lock();
    try {
      process.status = status;
      process.knotes.post(HINT_EXIT);
    } finally {
      process.knotes.unlock();
    }
  }

  /**
   * {@code knote_fork}: registers the child in the kqueue of every {@code NOTE_TRACK} knote of the
   * parent, then posts {@code NOTE_FORK}. Runs on the event source's thread, holding no lock while
   * it registers.
   */
  private void forked(long parent, long child) {
    Watched process;
    List<ProcNote> trackers = new ArrayList<>();
    synchronized (watched) {
      process = watched.get(parent);
      if (process == null) {
        return;
      }
      for (ProcNote note : process.notes) {
        if ((note.kn.sfflags() & NOTE_TRACK) != 0) {
          trackers.add(note);
        }
      }
    }
    for (ProcNote tracker : trackers) {
      if (!track(tracker.kn, parent, child)) {
        process.knotes.lock();
        try {
          tracker.trackFailed = true;
        } finally {
          process.knotes.unlock();
        }
      }
    }
    process.knotes.post(HINT_FORK);
  }

  /** {@code kqueue_register} of the child's knote in the parent knote's kqueue. */
  private boolean track(KNote parentNote, long parent, long child) {
    KEvent change = KEvent.of(child, parentNote.filter(),
        (parentNote.flags() & INHERITED) | EV_ADD | EV_ENABLE,
        parentNote.sfflags(), parent, parentNote.udata());
    TRACKING.set(new Tracking(this, child, parent));
    try {
      parentNote.kqueue().kevent(new KEvent[] {change}, null, Duration.ZERO);
      return true;
    } catch (KQueueException | RuntimeException e) {
      return false; // ESRCH, a closed kqueue, a refused subscription: NOTE_TRACKERR
    } finally {
      TRACKING.remove();
    }
  }

  private void executed(long pid) {
    Watched process;
    synchronized (watched) {
      process = watched.get(pid);
    }
    if (process != null) {
      process.knotes.post(HINT_EXEC);
    }
  }

  /** From the process-event source: {@code pid} exited; reported for the processes it orders. */
  private void exitedByEvent(long pid, int status) {
    Watched process;
    synchronized (watched) {
      process = exitsFromEvents.get(pid);
      if (process == null) {
        Watched known = watched.get(pid);
        process = known != null && (known.exitDeferred || known.hasEventInterest()) ? known : null;
      }
    }
    if (process != null) {
      report(process, status == ProcessExitSource.UNKNOWN_STATUS ? 0 : status);
    }
  }

  /** Events were lost: every interested knote hears of it, and lost exits are looked for. */
  private void lost() {
    List<Watched> all;
    List<Watched> awaitingExit;
    synchronized (watched) {
      all = new ArrayList<>(watched.values());
      awaitingExit = new ArrayList<>(exitsFromEvents.values());
    }
    for (Watched process : all) {
      process.knotes.post(HINT_LOST);
    }
    for (Watched process : awaitingExit) {
      if (source.hasExited(process.pid)) {
        report(process, 0);
      }
    }
    for (Watched process : all) {
      if (process.exitDeferred) { // its exit message may be among the lost ones
        reportWithJdkValue(process, process.deferredStatus);
      }
    }
  }

  private static boolean isChild(long pid) {
    long self = ProcessHandle.current().pid();
    return ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(p -> p.pid() == self)
        .orElse(false);
  }

  private static KQueueException noSuchProcess(long pid) {
    return new KQueueException("kevent", Errno.ESRCH, "EVFILT_PROC ident " + pid + ": no such process");
  }

  /** How many knotes of this filter hold the process-event subscription; for tests. */
  int eventSubscribers() {
    return subscription == null ? 0 : subscription.users();
  }

  @Override
  public String toString() {
    return "ProcFilter[" + source.name() + (events == null ? "" : ", " + events.name()) + "]";
  }

  /** A tracked child's registration under way on this thread. */
  private record Tracking(ProcFilter filter, long child, long parent) {}

  /** The source's events, turned into posts on the watched processes. */
  private final class Listener implements ProcessEventSource.ProcessEventListener {
    @Override
    public void forked(long parent, long child) {
      ProcFilter.this.forked(parent, child);
    }

    @Override
    public void executed(long pid) {
      ProcFilter.this.executed(pid);
    }

    @Override
    public void exited(long pid, int waitStatus) {
      exitedByEvent(pid, waitStatus);
    }

    @Override
    public void lost() {
      ProcFilter.this.lost();
    }
  }

  /** One watched process ({@code struct proc} as far as kqueue sees it). */
  static final class Watched {
    final long pid;
    /** {@code p_klist}. */
    final KNoteList knotes = new KNoteList();
    /** The knotes' states, for {@code knote_fork}; guarded by the filter's map. */
    final Set<ProcNote> notes = new HashSet<>();
    /** Knotes attached and not detached; guarded by the filter's map. */
    int refs;
    /** Set once, under the filter's map lock, before the source can call back. */
    ProcessExitSource.Watch watch;
    CompletableFuture<Integer> jdkExitValue;
    /** The wait status; written under the list's lock before the exit is posted. */
    int status;
    /** The exit was posted; guarded by the filter's map. */
    boolean reported;
    /** The exit source saw the exit, which waits for the process-event source's; map-guarded. */
    boolean exitDeferred;
    int deferredStatus;

    Watched(long pid) {
      this.pid = pid;
    }

    /** Whether a knote here holds the process-event subscription; with the map's lock held. */
    boolean hasEventInterest() {
      for (ProcNote note : notes) {
        if (note.subscribed) {
          return true;
        }
      }
      return false;
    }
  }
}
