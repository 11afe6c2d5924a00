package io.kqueue4j.testing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** Runs a blocking call on its own daemon thread, for tests that interrupt or wait for it. */
public final class CallThread {
  private CallThread() {}

  /** A call that may block and throw. */
  @FunctionalInterface
  public interface Call {
    /**
     * Makes the call.
     *
     * @return its result
     * @throws Exception whatever it throws, which becomes the outcome
     */
    Object run() throws Exception;
  }

  /**
   * Runs {@code call} on a new daemon thread, stored in {@code holder[0]}; the future gets its
   * result, or what it threw, after {@code interruptedAfter} got the thread's interrupt status.
   *
   * @param name the thread's name
   * @param holder where the thread is stored, so that the test can interrupt or inspect it
   * @param interruptedAfter set to the thread's interrupt status when the call returned
   * @param call the call
   * @return the call's outcome: its result or the {@link Throwable} it threw
   */
  public static CompletableFuture<Object> start(String name, Thread[] holder,
      AtomicBoolean interruptedAfter, Call call) {
    CompletableFuture<Object> result = new CompletableFuture<>();
    holder[0] = new Thread(() -> {
      Object outcome;
      try {
        outcome = call.run();
      } catch (Throwable e) {
        outcome = e;
      }
      interruptedAfter.set(Thread.currentThread().isInterrupted());
      result.complete(outcome);
    }, name);
    holder[0].setDaemon(true);
    holder[0].start();
    return result;
  }
}
