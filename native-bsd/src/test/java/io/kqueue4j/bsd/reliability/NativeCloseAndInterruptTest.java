package io.kqueue4j.bsd.reliability;

import static io.kqueue4j.KEvent.EVFILT_USER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.NOTE_TRIGGER;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueueException;
import io.kqueue4j.bsd.internal.FakeAbi;
import io.kqueue4j.bsd.internal.FakeKernel;
import io.kqueue4j.bsd.internal.NativeKQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link NativeKQueue#close()} and {@link Thread#interrupt()} against threads waiting in every
 * blocking form of {@code kevent}, over a {@link FakeKernel} of every ABI.
 *
 * <p>The fake kernel blocks for real: a call with a timeout other than zero waits in the emulated
 * kernel on a helper thread, and the caller awaits it uninterruptibly, as a system call ignores
 * {@code Thread.interrupt()}; only the wake-up knote that close and interrupt trigger ends it. A
 * thread counts as waiting in the kernel once it is parked inside that call.
 *
 * <p>The documented results: a waiter of a closed queue fails with {@code EBADF}, as does every
 * later call; an interrupted wait returns the events collected so far (here none) with the
 * interrupt status still set. Nothing may hang (every outcome is awaited for at most 10 s), the
 * kernel's descriptor is closed exactly once and never used after, and no udata is left behind.
 */
class NativeCloseAndInterruptTest {
  private static final Duration LONG = Duration.ofMinutes(10);
  private final List<FakeKernel> kernels = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();

  /** The blocking forms of {@code kevent}; each waits for a knote nobody triggers. */
  private enum Wait {
    ARRAY_FOREVER, ARRAY_TIMED, BUFFER_FOREVER, BUFFER_TIMED, ARRAY_CHANGE_THEN_FOREVER,
    BUFFER_CHANGE_THEN_TIMED;

    /** Waits; the change forms first add a knote of {@code ident} with a udata. */
    int call(NativeKQueue kq, long ident) throws KQueueException {
      KEventBuffer change = new KEventBuffer(1).add(ident, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0,
          "waiter " + ident);
      switch (this) {
        case ARRAY_FOREVER:
          return kq.kevent(null, new KEvent[2], null);
        case ARRAY_TIMED:
          return kq.kevent(null, new KEvent[2], LONG);
        case BUFFER_FOREVER:
          return kq.kevent(null, new KEventBuffer(2), -1);
        case BUFFER_TIMED:
          return kq.kevent(null, new KEventBuffer(2), LONG.toNanos());
        case ARRAY_CHANGE_THEN_FOREVER:
          return kq.kevent(new KEvent[] {change.get(0)}, new KEvent[2], null);
        case BUFFER_CHANGE_THEN_TIMED:
          return kq.kevent(change, new KEventBuffer(2), LONG.toNanos());
        default:
          throw new AssertionError(this);
      }
    }
  }

  /** A thread making one call; its outcome is what the call returned or threw. */
  private final class Waiter {
    final Thread thread;
    private final CompletableFuture<Object> outcome = new CompletableFuture<>();
    private volatile boolean statusSet;

    Waiter(String name, ThrowingCall call) {
      thread = new Thread(() -> {
        Object result;
        try {
          result = call.call();
        } catch (Throwable t) {
          result = t;
        }
        statusSet = Thread.currentThread().isInterrupted();
        outcome.complete(result);
      }, name);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }

    /** What the call returned or threw; fails when it has not ended within 10 s. */
    Object outcome() throws Exception {
      return outcome.get(10, TimeUnit.SECONDS);
    }

    /** Whether the thread's interrupt status was set when its call ended. */
    boolean statusSet() throws Exception {
      outcome();
      return statusSet;
    }

    /** Whether the thread is parked inside the fake kernel's blocking call. */
    boolean inKernel() {
      Thread.State state = thread.getState();
      if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING) {
        return false;
      }
      for (StackTraceElement e : thread.getStackTrace()) {
        if (e.getClassName().equals(FakeKernel.class.getName())
            && e.getMethodName().equals("blocking")) {
          return true;
        }
      }
      return false;
    }
  }

  @FunctionalInterface
  private interface ThrowingCall {
    Object call() throws Exception;
  }

  private WatchedKernel kernel(FakeAbi abi) {
    FakeKernel kernel = new FakeKernel(abi);
    kernels.add(kernel);
    return new WatchedKernel(kernel);
  }

  @AfterEach
  void stop() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (Thread t : threads) {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }
    for (FakeKernel kernel : kernels) {
      assertEquals(List.of(), kernel.violations());
      kernel.shutdown();
    }
  }

  /** Awaits a condition for at most 10 s, checking at once and then often. */
  private static ConditionFactory soon() {
    return await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(5));
  }

  private static void assertEbadf(Object outcome, String what) {
    assertTrue(outcome instanceof KQueueException, what + " ended with " + outcome);
    assertEquals(Errno.EBADF, ((KQueueException) outcome).errno(), what + ": " + outcome);
  }

  /** The queue is closed and every trace of it gone: descriptor, udata, misuse. */
  private void assertGone(FakeAbi abi, WatchedKernel watched, NativeKQueue kq, int fd) {
    FakeKernel fake = kernels.get(kernels.size() - 1);
    soon().until(() -> fake.openQueues() == 0);
    assertTrue(watched.isClosed(fd), abi + ": the descriptor was closed");
    assertEquals(List.of(), watched.misuse(), abi + ": the descriptor was misused after its close");
    assertEquals(0, kq.liveTokens(), abi + ": udata left after close");
  }

  private List<Waiter> waitInKernel(NativeKQueue kq, Wait... waits) {
    List<Waiter> waiters = new ArrayList<>();
    for (int i = 0; i < waits.length; i++) {
      Wait wait = waits[i];
      long ident = 100 + i;
      waiters.add(new Waiter(wait.name(), () -> wait.call(kq, ident)));
    }
    soon()
        .until(() -> waiters.stream().allMatch(Waiter::inKernel));
    return waiters;
  }

  // ---------------------------------------------------------------- close

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void close_ends_every_kind_of_wait_with_ebadf(FakeAbi abi) throws Exception {
    WatchedKernel watched = kernel(abi);
    NativeKQueue kq = NativeKQueue.open(watched, abi.layout());
    int fd = kq.fd();
    List<Waiter> waiters = waitInKernel(kq, Wait.values());
    kq.close();
    for (Waiter w : waiters) {
      assertEbadf(w.outcome(), w.thread.getName());
    }
    assertGone(abi, watched, kq, fd);
  }

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void concurrent_closes_while_threads_wait_close_the_descriptor_once(FakeAbi abi)
      throws Exception {
    WatchedKernel watched = kernel(abi);
    NativeKQueue kq = NativeKQueue.open(watched, abi.layout());
    int fd = kq.fd();
    List<Waiter> waiters = waitInKernel(kq, Wait.ARRAY_FOREVER, Wait.BUFFER_TIMED,
        Wait.ARRAY_CHANGE_THEN_FOREVER);
    CountDownLatch go = new CountDownLatch(1);
    List<Waiter> closers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      closers.add(new Waiter("closer-" + i, () -> {
        go.await();
        kq.close();
        return "closed";
      }));
    }
    go.countDown();
    for (Waiter c : closers) {
      assertEquals("closed", c.outcome());
    }
    for (Waiter w : waiters) {
      assertEbadf(w.outcome(), w.thread.getName());
    }
    assertGone(abi, watched, kq, fd);
  }

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void close_racing_threads_that_enter_kevent_ends_them_with_ebadf(FakeAbi abi) throws Exception {
    for (int round = 0; round < 10; round++) {
      WatchedKernel watched = kernel(abi);
      NativeKQueue kq = NativeKQueue.open(watched, abi.layout());
      int fd = kq.fd();
      List<Waiter> waiters = new ArrayList<>();
      for (Wait wait : new Wait[] {Wait.ARRAY_FOREVER, Wait.BUFFER_CHANGE_THEN_TIMED}) {
        waiters.add(new Waiter(wait.name(), () -> wait.call(kq, 7)));
      }
      kq.close(); // while the threads start, enter kevent or wait in the kernel
      for (Waiter w : waiters) {
        assertEbadf(w.outcome(), "round " + round + ", " + w.thread.getName());
      }
      assertGone(abi, watched, kq, fd);
    }
  }

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void every_call_after_close_fails_with_ebadf_without_reaching_the_kernel(FakeAbi abi)
      throws Exception {
    WatchedKernel watched = kernel(abi);
    NativeKQueue kq = NativeKQueue.open(watched, abi.layout());
    int fd = kq.fd();
    kq.kevent(new KEvent[] {KEvent.of(1, EVFILT_USER, EV_ADD, 0, 0, "before")}, null,
        Duration.ZERO);
    kq.close();
    KEvent late = KEvent.of(2, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0, "late");
    KEventBuffer lateBuffer = new KEventBuffer(1).add(2, EVFILT_USER, EV_ADD, 0, 0, "late");
    List<ThrowingCall> calls = List.of(
        () -> kq.kevent(null, new KEvent[1], Duration.ZERO),
        () -> kq.kevent(null, new KEvent[1], null),
        () -> kq.kevent(new KEvent[] {late}, null, Duration.ZERO),
        () -> kq.kevent(new KEvent[] {late}, new KEvent[1], null),
        () -> kq.kevent(null, 0, null, 0, Duration.ZERO),
        () -> kq.kevent(null, new KEventBuffer(1), -1),
        () -> kq.kevent(lateBuffer, new KEventBuffer(1), 0),
        () -> kq.kevent(lateBuffer, null, -1),
        kq::fd);
    for (int i = 0; i < calls.size(); i++) {
      ThrowingCall call = calls.get(i);
      KQueueException e = assertThrows(KQueueException.class, call::call, "call " + i);
      assertEquals(Errno.EBADF, e.errno(), "call " + i + ": " + e);
    }
    kq.close(); // idempotent
    assertGone(abi, watched, kq, fd);
  }

  // ---------------------------------------------------------------- interrupt

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void interrupt_ends_every_kind_of_wait_with_the_status_kept(FakeAbi abi) throws Exception {
    WatchedKernel watched = kernel(abi);
    NativeKQueue kq = NativeKQueue.open(watched, abi.layout());
    int fd = kq.fd();
    for (Wait wait : Wait.values()) {
      Waiter w = waitInKernel(kq, wait).get(0);
      w.thread.interrupt();
      assertEquals(0, w.outcome(), wait + ": an interrupted wait returns what it collected");
      assertTrue(w.statusSet(), wait + ": the interrupt status stays set");
    }
    // the queue still waits, and wakes for an event
    assertEquals(0, kq.kevent(null, new KEvent[4], Duration.ZERO), "nothing stale is returned");
    kq.kevent(new KEvent[] {KEvent.of(1, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, "one")}, null,
        Duration.ZERO);
    KEvent[] out = new KEvent[2];
    Waiter next = new Waiter("after", () -> kq.kevent(null, out, null));
    soon().until(next::inKernel);
    kq.kevent(new KEvent[] {KEvent.of(1, EVFILT_USER, 0, NOTE_TRIGGER, 0, "one")}, null,
        Duration.ZERO);
    assertEquals(1, next.outcome());
    assertEquals("one", out[0].udata());
    kq.close();
    assertGone(abi, watched, kq, fd);
  }

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void an_interrupted_thread_polls_instead_of_waiting(FakeAbi abi) throws Exception {
    WatchedKernel watched = kernel(abi);
    NativeKQueue kq = NativeKQueue.open(watched, abi.layout());
    int fd = kq.fd();
    for (Wait wait : Wait.values()) {
      Waiter w = new Waiter(wait.name(), () -> {
        Thread.currentThread().interrupt();
        return wait.call(kq, 200 + wait.ordinal());
      });
      assertEquals(0, w.outcome(), wait + ": nothing pending, no wait");
      assertTrue(w.statusSet(), wait + ": the interrupt status stays set");
    }
    kq.kevent(new KEvent[] {KEvent.of(1, EVFILT_USER, EV_ADD | EV_CLEAR, NOTE_TRIGGER, 0, "p")},
        null, Duration.ZERO);
    KEventBuffer out = new KEventBuffer(2);
    Waiter pending = new Waiter("pending", () -> {
      Thread.currentThread().interrupt();
      return kq.kevent(null, out, -1);
    });
    assertEquals(1, pending.outcome(), "a pending event is collected, not lost");
    assertEquals("p", out.udata(0));
    assertTrue(pending.statusSet());
    kq.close();
    assertGone(abi, watched, kq, fd);
  }

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void interrupt_racing_threads_that_enter_kevent_ends_their_wait(FakeAbi abi) throws Exception {
    WatchedKernel watched = kernel(abi);
    NativeKQueue kq = NativeKQueue.open(watched, abi.layout());
    int fd = kq.fd();
    Wait[] waits = Wait.values();
    for (int round = 0; round < 30; round++) {
      Wait wait = waits[round % waits.length];
      long ident = 300 + round;
      Waiter w = new Waiter(wait.name(), () -> wait.call(kq, ident));
      w.thread.interrupt(); // before, while or after it enters the kernel
      assertEquals(0, w.outcome(), "round " + round + ", " + wait);
      assertTrue(w.statusSet(), "round " + round + ", " + wait + ": the status stays set");
    }
    assertEquals(0, kq.kevent(null, new KEvent[4], Duration.ZERO), "nothing stale is returned");
    kq.close();
    assertGone(abi, watched, kq, fd);
  }

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void interrupt_and_close_together_end_every_wait(FakeAbi abi) throws Exception {
    WatchedKernel watched = kernel(abi);
    NativeKQueue kq = NativeKQueue.open(watched, abi.layout());
    int fd = kq.fd();
    List<Waiter> waiters = waitInKernel(kq, Wait.ARRAY_FOREVER, Wait.BUFFER_TIMED,
        Wait.ARRAY_CHANGE_THEN_FOREVER, Wait.BUFFER_FOREVER);
    CountDownLatch go = new CountDownLatch(1);
    List<Waiter> actors = List.of(
        new Waiter("interrupt-0", () -> {
          go.await();
          waiters.get(0).thread.interrupt();
          return "interrupted";
        }),
        new Waiter("interrupt-1", () -> {
          go.await();
          waiters.get(1).thread.interrupt();
          return "interrupted";
        }),
        new Waiter("closer", () -> {
          go.await();
          kq.close();
          return "closed";
        }));
    go.countDown();
    for (Waiter a : actors) {
      assertTrue(a.outcome() instanceof String, a.thread.getName() + ": " + a.outcome());
    }
    for (int i = 0; i < waiters.size(); i++) {
      Waiter w = waiters.get(i);
      Object outcome = w.outcome();
      if (i < 2 && Integer.valueOf(0).equals(outcome)) {
        assertTrue(w.statusSet(), w.thread.getName() + " returned without its interrupt status");
      } else {
        assertEbadf(outcome, w.thread.getName());
      }
    }
    assertGone(abi, watched, kq, fd);
  }
}
