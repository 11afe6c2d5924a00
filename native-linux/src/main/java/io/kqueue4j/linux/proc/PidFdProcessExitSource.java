package io.kqueue4j.linux.proc;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.spi.ProcessExitSource;
import io.kqueue4j.linux.ChildStatus;
import io.kqueue4j.linux.Epoll;
import io.kqueue4j.linux.EpollEventArray;
import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.LinuxErrno;
import io.kqueue4j.linux.PidFd;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Linux {@link ProcessExitSource}: a {@code pidfd} per watched process, all in one epoll
 * instance served by one daemon thread ({@code kqueue4j-pidfd}), so an exit is noticed when it
 * happens, without polling and without a thread per process. A pidfd can be opened for a zombie
 * (an exited, unreaped process) and is readable at once then, so a process that exits while it is
 * being registered is still reported; a reaped pid fails with {@code ESRCH}.
 *
 * <p>The wait status, once the pidfd is readable:
 *
 * <ol>
 *   <li>for a child of this JVM, {@code waitid(P_PIDFD, WEXITED | WNOHANG | WNOWAIT)}, which reads
 *       it without reaping, so the child's owner (the JDK, or whoever started it) still can;
 *   <li>else, from a zombie's {@code /proc/<pid>/stat} ({@code exit_code}), when it is still there;
 *   <li>else unknown: the JDK, or another parent, reaped the process first. For children the JDK
 *       started the filter then uses the JDK's exit value.
 * </ol>
 *
 * <p>Available where {@code pidfd_open} (Linux 5.3) and epoll answer their probes; nothing is
 * opened until the first process is watched. Each watched process holds one descriptor.
 */
public final class PidFdProcessExitSource implements ProcessExitSource {

  /** {@value}. */
  public static final String NAME = "pidfd";

  private static final int BATCH = 256;

  private final ConcurrentHashMap<Long, PidWatch> watches = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final Object startLock = new Object();
  private volatile Epoll epoll;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return 100;
  }

  @Override
  public boolean isAvailable() {
    return unavailabilityCause() == null;
  }

  @Override
  public Throwable unavailabilityCause() {
    try {
      if (!PidFd.isAvailable()) {
        return PidFd.unavailabilityCause();
      }
      return Epoll.isAvailable() ? null : Epoll.unavailabilityCause();
    } catch (LinkageError e) {
      return e;
    }
  }

  /** How many processes are watched now; for tests and diagnostics. */
  public int watched() {
    return watches.size();
  }

  @Override
  public Watch watch(long pid, ExitListener listener) throws KQueueException {
    Epoll poller = poller();
    PidFd pidfd;
    try {
      pidfd = PidFd.open(pid);
    } catch (ErrnoException e) {
      throw translate(e, pid);
    }
    PidWatch watch = new PidWatch(ids.incrementAndGet(), pidfd, listener);
    watches.put(watch.id, watch);
    try {
      poller.add(pidfd.fd(), Epoll.EPOLLIN, watch.id);
    } catch (ErrnoException e) {
      watch.cancel();
      throw translate(e, pid);
    }
    return watch;
  }

  @Override
  public boolean hasExited(long pid) {
    ProcStat stat = ProcStat.read(pid);
    return stat == null || stat.hasExited();
  }

  private Epoll poller() throws KQueueException {
    Epoll poller = epoll;
    if (poller != null) {
      return poller;
    }
    synchronized (startLock) {
      if (epoll == null) {
        Epoll created;
        try {
          created = Epoll.open();
        } catch (ErrnoException e) {
          throw translate(e, 0);
        }
        Thread thread = new Thread(() -> run(created), "kqueue4j-pidfd");
        thread.setDaemon(true);
        thread.start();
        epoll = created;
      }
      return epoll;
    }
  }

  /** The thread: wait for readable pidfds, read each exit status, report. */
  private void run(Epoll poller) {
    EpollEventArray events = new EpollEventArray(BATCH);
    while (true) {
      int n;
      try {
        n = poller.waitEvents(events, -1);
      } catch (ErrnoException e) {
        uncaught(new IllegalStateException("epoll_wait of the pidfd source failed", e));
        return;
      }
      for (int i = 0; i < n; i++) {
        PidWatch watch = watches.remove(events.data(i));
        if (watch == null) {
          continue; // cancelled meanwhile
        }
        int status = statusOf(watch.pidfd);
        watch.release();
        try {
          watch.listener.exited(status);
        } catch (RuntimeException | Error e) {
          uncaught(e); // and go on: every NOTE_EXIT watch of the source depends on this thread
        }
      }
    }
  }

  /** The wait status of an exited process, or {@link #UNKNOWN_STATUS}. */
  static int statusOf(PidFd pidfd) {
    try {
      ChildStatus child = pidfd.waitid(PidFd.WEXITED | PidFd.WNOHANG | PidFd.WNOWAIT);
      if (child != null) {
        return child.waitStatus();
      }
    } catch (ErrnoException | UnsupportedOperationException e) {
      // ECHILD: not our child, or reaped already; or no waitid(P_PIDFD) on this kernel
    }
    ProcStat stat = ProcStat.read(pidfd.pid());
    if (stat != null && stat.state() == 'Z' && stat.exitCode() >= 0) {
      return stat.exitCode();
    }
    return UNKNOWN_STATUS;
  }

  /** A Linux errno as FreeBSD's, by name; {@code EIO} for one FreeBSD lacks. */
  static KQueueException translate(ErrnoException e, long pid) {
    if (e.errno() == LinuxErrno.ESRCH) {
      return new KQueueException("kevent", Errno.ESRCH,
          "EVFILT_PROC ident " + pid + ": no such process", e);
    }
    return new KQueueException("kevent", ProcErrno.of(e),
        "EVFILT_PROC ident " + pid + ": " + e.getMessage(), e);
  }

  private static void uncaught(Throwable e) {
    Thread current = Thread.currentThread();
    current.getUncaughtExceptionHandler().uncaughtException(current, e);
  }

  @Override
  public String toString() {
    return "PidFdProcessExitSource[watched=" + watches.size() + "]";
  }

  /** One watched process: its pidfd and listener, keyed in epoll by a number never reused. */
  private final class PidWatch implements Watch {
    final long id;
    final PidFd pidfd;
    final ExitListener listener;

    PidWatch(long id, PidFd pidfd, ExitListener listener) {
      this.id = id;
      this.pidfd = pidfd;
      this.listener = listener;
    }

    @Override
    public void cancel() {
      if (watches.remove(id, this)) {
        release();
      }
    }

    /** Called once, by whoever removed the watch from the map. */
    void release() {
      try {
        epoll.delete(pidfd.fd());
      } catch (ErrnoException e) {
        // ENOENT when the add never happened; the descriptor is closed below either way
      }
      try {
        pidfd.close();
      } catch (ErrnoException e) {
        uncaught(e);
      }
    }
  }
}
