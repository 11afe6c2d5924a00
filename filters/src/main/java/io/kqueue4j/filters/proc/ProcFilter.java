package io.kqueue4j.filters.proc;

import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DROP;
import static io.kqueue4j.KEvent.EV_EOF;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static io.kqueue4j.KEvent.NOTE_CHILD;
import static io.kqueue4j.KEvent.NOTE_EXEC;
import static io.kqueue4j.KEvent.NOTE_EXIT;
import static io.kqueue4j.KEvent.NOTE_FORK;
import static io.kqueue4j.KEvent.NOTE_TRACK;
import static io.kqueue4j.KEvent.NOTE_TRACKERR;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.spi.ProcessExitSource;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.KNote;
import io.kqueue4j.kernel.KNoteList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code EVFILT_PROC}: the exit of a process; see {@code filt_procattach} and {@code filt_proc} in
 * FreeBSD's {@code kern_event.c}, whose behaviour this follows for {@code NOTE_EXIT}.
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
 *   <li>{@code NOTE_FORK}, {@code NOTE_EXEC}, {@code NOTE_TRACK} (and the output-only {@code
 *       NOTE_CHILD}, {@code NOTE_TRACKERR}) need a source that sees forks and execs; none does yet,
 *       so they fail with {@code EOPNOTSUPP} rather than being accepted and never reported.
 *   <li>An exit without {@code NOTE_EXIT} interest (fflags 0) is not delivered, as modern FreeBSD
 *       drops it: the knote gets {@code EV_DROP} and the scan removes it without an event.
 * </ul>
 *
 * <p>The exit of every watched process is learnt from one {@link ProcessExitSource} for the JVM:
 * the best one on the class path (on Linux, native-linux's pidfd source: one epoll thread for all
 * processes), else the portable one on {@link ProcessHandle#onExit()}. {@link #sourceName()} says
 * which.
 */
public final class ProcFilter implements FilterOps {

  /** The hint a process's exit posts to its knote list ({@code NOTE_EXIT}). */
  static final long HINT_EXIT = NOTE_EXIT & 0xffffffffL;

  private static final int UNSUPPORTED = NOTE_FORK | NOTE_EXEC | NOTE_TRACK | NOTE_TRACKERR | NOTE_CHILD;

  private final ProcessExitSource source;
  /** Watched processes by pid ({@code p_klist} of each); guarded by itself. */
  private final Map<Long, Watched> watched = new HashMap<>();

  /** The filter on the best source available here. */
  public ProcFilter() {
    this(ProcessExitSources.best());
  }

  /** A filter on {@code source}. */
  public ProcFilter(ProcessExitSource source) {
    this.source = source;
  }

  /** The source the default filter uses: the best one available here. */
  public static ProcessExitSource defaultSource() {
    return ProcessExitSources.best();
  }

  /** The name of the source the default filter uses: {@code "pidfd"}, or {@code "portable"}. */
  public static String sourceName() {
    return ProcessExitSources.best().name();
  }

  /** Whether the default filter runs on the portable fallback ({@link ProcessHandle#onExit()}). */
  public static boolean isPortableFallback() {
    return ProcessExitSources.best() instanceof PortableProcessExitSource;
  }

  /**
   * Which source is active, which were found but are not usable here and why, and how exit values
   * of children the JDK reaps are read; for diagnostics.
   */
  public static String describeSource() {
    return "EVFILT_PROC source " + sourceName()
        + (isPortableFallback() ? " (fallback: ProcessHandle.onExit)" : "")
        + ", unusable: " + ProcessExitSources.rejected()
        + ", JDK exit values: " + JdkExitValues.mechanism();
  }

  /** The source this filter uses. */
  public ProcessExitSource source() {
    return source;
  }

  /** {@code filt_procattach}. */
  @Override
  public void attach(KNote kn) throws KQueueException {
    long pid = kn.ident();
    int interest = kn.sfflags();
    if ((interest & UNSUPPORTED) != 0) {
      throw new KQueueException("kevent", Errno.EOPNOTSUPP, "EVFILT_PROC ident " + pid
          + ": NOTE_FORK, NOTE_EXEC and NOTE_TRACK need a source that sees forks and execs; the "
          + source.name() + " source sees only exits");
    }
    if (pid <= 0 || pid > Integer.MAX_VALUE
        || (interest & NOTE_EXIT) == 0 && source.hasExited(pid)) {
      throw noSuchProcess(pid);
    }
    kn.addFlags(EV_CLEAR);
    synchronized (watched) {
      Watched process = watched.get(pid);
      boolean first = process == null;
      if (first) {
        process = new Watched(pid);
        watched.put(pid, process);
      }
      process.refs++;
      kn.setHook(process);
      process.knotes.add(kn);
      if (first) {
        try {
          process.jdkExitValue = isChild(pid) ? JdkExitValues.of(pid) : null;
          Watched target = process;
          process.watch = source.watch(pid, status -> exited(target, status));
        } catch (KQueueException | RuntimeException e) {
          process.knotes.remove(kn);
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

  /** {@code filt_procdetach}: the last knote of a process that has not exited ends its watch. */
  @Override
  public void detach(KNote kn) {
    Watched process = (Watched) kn.hook();
    process.knotes.remove(kn);
    ProcessExitSource.Watch end = null;
    synchronized (watched) {
      if (--process.refs == 0 && watched.remove(process.pid, process)) {
        end = process.watch;
      }
    }
    if (end != null) {
      end.cancel();
    }
  }

  /** {@code filt_proc}. */
  @Override
  public boolean event(KNote kn, long hint) {
    if (hint == HINT_EXIT) {
      Watched process = (Watched) kn.hook();
      process.knotes.remove(kn); // knlist_remove_inevent: detached, detach() is not called
      kn.addFlags(EV_EOF | EV_ONESHOT);
      if ((kn.sfflags() & NOTE_EXIT) == 0) {
        kn.addFlags(EV_DROP); // an exit nobody asked for: the scan drops the knote silently
        return true;
      }
      kn.addFflags(NOTE_EXIT);
      kn.setData(process.status);
      return true;
    }
    return kn.fflags() != 0;
  }

  /** From the source: the process is gone; with the JDK's exit value if the source had none. */
  private void exited(Watched process, int status) {
    CompletableFuture<Integer> jdk = process.jdkExitValue;
    if (status == ProcessExitSource.UNKNOWN_STATUS && jdk != null) {
      jdk.whenComplete((value, failure) ->
          report(process, value != null && value >= 0 ? WaitStatus.ofJdkExitValue(value) : 0));
    } else {
      report(process, status == ProcessExitSource.UNKNOWN_STATUS ? 0 : status);
    }
  }

  /** {@code KNOTE(&p->p_klist, NOTE_EXIT)}. */
  private void report(Watched process, int status) {
    synchronized (watched) {
      watched.remove(process.pid, process);
    }
    process.knotes.lock();
    try {
      process.status = status;
      process.knotes.post(HINT_EXIT);
    } finally {
      process.knotes.unlock();
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

  @Override
  public String toString() {
    return "ProcFilter[" + source.name() + "]";
  }

  /** One watched process ({@code struct proc} as far as kqueue sees it). */
  static final class Watched {
    final long pid;
    /** {@code p_klist}. */
    final KNoteList knotes = new KNoteList();
    /** Knotes attached and not detached; guarded by the filter's map. */
    int refs;
    /** Set once, under the filter's map lock, before the source can call back. */
    ProcessExitSource.Watch watch;
    CompletableFuture<Integer> jdkExitValue;
    /** The wait status; written under the list's lock before the exit is posted. */
    int status;

    Watched(long pid) {
      this.pid = pid;
    }
  }
}
