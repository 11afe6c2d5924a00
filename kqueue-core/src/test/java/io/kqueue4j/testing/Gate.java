package io.kqueue4j.testing;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds a thread inside a filter method until the test opens it: the test learns when the thread
 * has arrived, does what it needs while the knote is in flux, then lets it go. Thread-safe; one use.
 */
public final class Gate {
  private final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);

  /**
   * Called by the held thread: says it arrived and waits until {@link #open()}, at most 30 s.
   *
   * @throws IllegalStateException when the gate was never opened, or the wait was interrupted
   */
  public void pass() {
    entered.countDown();
    try {
      if (!release.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("never released");
      }
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Waits until a thread is in {@link #pass()}.
   *
   * @param timeout how long to wait
   * @param unit the unit of {@code timeout}
   * @return whether a thread arrived in time
   * @throws InterruptedException when the waiting thread is interrupted
   */
  public boolean awaitEntered(long timeout, TimeUnit unit) throws InterruptedException {
    return entered.await(timeout, unit);
  }

  /** Lets the held thread, and any later one, go on. */
  public void open() {
    release.countDown();
  }
}
