package io.kqueue4j.testing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A daemon thread blocked in {@code kevent(null, out, null)} on a kqueue until it returns once:
 * what it returned, threw and whether its interrupt status was set afterwards, and what its stack
 * shows, for tests that wait until it blocks in a given place (an event pump's poll, a kqueue's
 * sleep) before they act on it.
 */
public class KeventWaiter {
  /** How long the waits of this class last at most. */
  public static final Duration WAIT = Duration.ofSeconds(10);

  /** The waiting thread. */
  public final Thread thread;
  /** Where {@code kevent} stores the events it returns. */
  public final KEvent[] out = new KEvent[4];
  private final AtomicInteger returned = new AtomicInteger(-1);
  private final AtomicBoolean interruptedAfter = new AtomicBoolean();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  /**
   * Starts the thread.
   *
   * @param kq the kqueue to wait on
   * @param name the thread's name
   */
  public KeventWaiter(KQueue kq, String name) {
    thread = new Thread(() -> {
      try {
        returned.set(kq.kevent(null, out, null));
      } catch (Throwable e) {
        failure.set(e);
      }
      interruptedAfter.set(Thread.currentThread().isInterrupted());
    }, name);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Whether the thread's stack has a frame of {@code method} of {@code className} now.
   *
   * @param className a binary class name
   * @param method a method name
   * @return whether such a frame is on the stack
   */
  public boolean has(String className, String method) {
    for (StackTraceElement frame : thread.getStackTrace()) {
      if (frame.getClassName().equals(className) && frame.getMethodName().equals(method)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Waits until {@code state} holds, failing with the thread's stack after {@link #WAIT}.
   *
   * @param what what the state is, for the failure message
   * @param state the condition on the thread
   */
  public void awaitState(String what, Callable<Boolean> state) {
    try {
      await().atMost(WAIT).until(state);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(thread.getName() + " is not " + what + " (" + thread.getState()
          + "): " + Arrays.toString(thread.getStackTrace()), e);
    }
  }

  /**
   * Waits for the thread to return and checks what it returned.
   *
   * @param events the number of events {@code kevent} must have returned
   * @param interrupted whether the thread's interrupt status must be set afterwards
   * @throws InterruptedException when the test's thread is interrupted meanwhile
   */
  public void assertReturned(int events, boolean interrupted) throws InterruptedException {
    thread.join(WAIT.toMillis());
    assertFalse(thread.isAlive(), thread.getName() + " is still in kevent");
    assertNull(failure.get(), () -> thread.getName() + " failed: " + failure.get());
    assertEquals(events, returned.get(), thread.getName() + "'s kevent result");
    assertEquals(interrupted, interruptedAfter.get(), thread.getName() + "'s interrupt status");
  }

  /**
   * What the thread threw, once it ended.
   *
   * @return the exception, or {@code null} when {@code kevent} returned
   */
  public Throwable failure() {
    return failure.get();
  }
}
