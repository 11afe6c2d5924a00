package io.kqueue4j.filters.proc;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.spi.ProcessExitSource;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The fallback {@link ProcessExitSource}: {@link ProcessHandle#onExit()}, which works on every OS
 * the JDK supports but is the JDK's mechanism, not ours: the JDK waits for each process on a
 * thread of its own (its "process reaper" pool), and for a process that is not a child of this JVM
 * it polls with a growing interval of up to 5 s, so exits of such processes may be reported
 * seconds late. It reports no wait status itself; the filter supplies the JDK's exit value for
 * children the JDK started. Zombies count as alive, as the JDK sees them.
 */
public final class PortableProcessExitSource implements ProcessExitSource {
  /** {@value}. */
  public static final String NAME = "portable";

  /** Creates the source; {@link java.util.ServiceLoader} calls this. */
  public PortableProcessExitSource() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return 0;
  }

  @Override
  public boolean isAvailable() {
    return true;
  }

  @Override
  public Watch watch(long pid, ExitListener listener) throws KQueueException {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !handle.get().isAlive()) {
      throw new KQueueException("kevent", Errno.ESRCH, "EVFILT_PROC ident " + pid + ": no such process");
    }
    AtomicReference<ExitListener> pending = new AtomicReference<>(listener);
    handle.get().onExit().whenComplete((exited, failure) -> {
      ExitListener once = pending.getAndSet(null);
      if (once != null) {
        once.exited(UNKNOWN_STATUS);
      }
    });
    return () -> pending.set(null);
  }

  @Override
  public boolean hasExited(long pid) {
    return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
  }

  @Override
  public String toString() {
    return "PortableProcessExitSource[ProcessHandle.onExit]";
  }
}
