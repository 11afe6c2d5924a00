package io.kqueue4j.linux.proc;

import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.spi.ProcessExitSource;
import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.LibC;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ProcessExitSource} around another that makes each watched process exit inside {@link
 * #watch}: once the wrapped source watches it, the process is killed with {@code SIGKILL}, and
 * {@code watch} returns only after the wrapped source has called the listener, so the exit is
 * reported while {@code EVFILT_PROC}'s attach is still under way.
 */
final class ExitDuringWatch implements ProcessExitSource {
  private final ProcessExitSource source;
  /** Whether the last {@link #watch} saw its listener called before returning. */
  volatile boolean exitSeenDuringWatch;

  ExitDuringWatch(ProcessExitSource source) {
    this.source = source;
  }

  @Override
  public String name() {
    return source.name() + " (exit during watch)";
  }

  @Override
  public int priority() {
    return source.priority();
  }

  @Override
  public boolean isAvailable() {
    return source.isAvailable();
  }

  @Override
  public boolean hasExited(long pid) {
    return source.hasExited(pid);
  }

  @Override
  public Watch watch(long pid, ExitListener listener) throws KQueueException {
    CountDownLatch called = new CountDownLatch(1);
    Watch watch = source.watch(pid, status -> {
      called.countDown();
      listener.exited(status);
    });
    try {
      LibC.kill((int) pid, LibC.SIGKILL);
      exitSeenDuringWatch = called.await(30, TimeUnit.SECONDS); // a hang guard only
    } catch (ErrnoException e) {
      throw new IllegalStateException("cannot kill " + pid, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return watch;
  }
}
