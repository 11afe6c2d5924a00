package io.kqueue4j.reliability;

import static io.kqueue4j.KEvent.EVFILT_USER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.NOTE_TRIGGER;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.EmulatedKQueue;
import io.kqueue4j.testing.FilterSlot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * {@code close()} while threads wait and while sources fire and threads register and scan;
 * interrupts during waits. Nothing may hang (every join has a timeout), waiters fail with {@code
 * EBADF}, every knote is detached once, and no filter reference leaks.
 */
class CloseAndInterruptTest {

  /** Runs {@code call} in a daemon thread; the future holds what it returned or threw. */
  private static CompletableFuture<Object> inThread(String name, Callable call) {
    CompletableFuture<Object> result = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        result.complete(call.call());
      } catch (Throwable e) {
        result.complete(e);
      }
    }, name);
    t.setDaemon(true);
    t.start();
    THREADS.set(t);
    return result;
  }

  private static final ThreadHolder THREADS = new ThreadHolder();

  /** The threads {@link #inThread} started in this test, for waiting until they block. */
  private static final class ThreadHolder {
    private final List<Thread> started = new ArrayList<>();

    synchronized void set(Thread t) {
      started.add(t);
    }

    synchronized List<Thread> takeAll() {
      List<Thread> all = List.copyOf(started);
      started.clear();
      return all;
    }
  }

  @FunctionalInterface
  interface Callable {
    Object call() throws Exception;
  }

  private static boolean blocked(Thread t) {
    Thread.State s = t.getState();
    return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
  }

  @Test
  void close_wakes_every_waiter_with_ebadf() throws Exception {
    EmulatedKQueue kq = EmulatedKQueue.open();
    kq.kevent(new KEvent[] {KEvent.of(1, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, null)}, null,
        Duration.ZERO);
    THREADS.takeAll();
    List<CompletableFuture<Object>> waiters = List.of(
        inThread("untimed-1", () -> kq.kevent(null, new KEvent[1], null)),
        inThread("untimed-2", () -> kq.kevent(null, new KEvent[4], null)),
        inThread("timed", () -> kq.kevent(null, new KEvent[1], Duration.ofSeconds(60))),
        inThread("buffer", () -> kq.kevent(null, new KEventBuffer(2), -1)));
    List<Thread> threads = THREADS.takeAll();
    await().atMost(Duration.ofSeconds(10)).until(() -> threads.stream().allMatch(
        CloseAndInterruptTest::blocked));
    kq.close();
    for (CompletableFuture<Object> w : waiters) {
      Object outcome = w.get(5, TimeUnit.SECONDS);
      assertTrue(outcome instanceof KQueueException, "got " + outcome);
      assertEquals(Errno.EBADF, ((KQueueException) outcome).errno());
    }
    KQueueException later =
        assertThrows(KQueueException.class, () -> kq.kevent(null, new KEvent[1], null));
    assertEquals(Errno.EBADF, later.errno());
  }

  @Test
  void concurrent_closes_while_threads_wait_all_return() throws Exception {
    EmulatedKQueue kq = EmulatedKQueue.open();
    THREADS.takeAll();
    List<CompletableFuture<Object>> waiters = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      waiters.add(inThread("waiter-" + i, () -> kq.kevent(null, new KEvent[1], null)));
    }
    List<Thread> threads = THREADS.takeAll();
    await().atMost(Duration.ofSeconds(10)).until(() -> threads.stream().allMatch(
        CloseAndInterruptTest::blocked));
    List<CompletableFuture<Object>> closers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      closers.add(inThread("closer-" + i, () -> {
        kq.close();
        return "closed";
      }));
    }
    for (CompletableFuture<Object> c : closers) {
      assertEquals("closed", c.get(5, TimeUnit.SECONDS));
    }
    for (CompletableFuture<Object> w : waiters) {
      Object outcome = w.get(5, TimeUnit.SECONDS);
      assertTrue(outcome instanceof KQueueException
          && ((KQueueException) outcome).errno() == Errno.EBADF, "got " + outcome);
    }
  }

  /**
   * The stress rig runs (registrations, scans, waits, interrupts, source posts) and the queue is
   * closed under it, five times at different moments: every thread ends, with {@code EBADF} only;
   * every knote is detached once and never called after; what was delivered before the close
   * still accounts exactly; the filter can be removed (no reference leaked).
   */
  @Test
  void close_while_sources_fire_and_threads_register_and_scan() throws Exception {
    CountingSourceFilter filter = new CountingSourceFilter(StressRig.SOURCES);
    try (FilterSlot slot = FilterSlot.install(filter)) {
      for (int round = 0; round < 5; round++) {
        EmulatedKQueue kq = EmulatedKQueue.open();
        StressRig rig = new StressRig(kq, filter, slot.filter, 1000 + round);
        rig.start(3, 2);
        long target = 2_000L * (round + 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> rig.calls.get() > target);
        rig.closing = true;
        kq.close();
        // The threads notice the close by themselves; the poster keeps posting into empty lists.
        long postsAtClose = rig.posts.get();
        rig.stopAndJoin(Duration.ofSeconds(20));
        assertEquals(0, kq.checkInvariants(), "knotes left after close");
        StressRig.Figures figures = rig.verify(false);
        for (int i = 0; i < StressRig.SOURCES; i++) {
          assertTrue(filter.sources[i].isEmpty(), "source " + i + " still has knotes");
        }
        List<String> found = List.copyOf(rig.violations);
        assertTrue(found.isEmpty(), () -> found.size() + " violations:\n  "
            + String.join("\n  ", found.subList(0, Math.min(30, found.size()))));
        assertTrue(rig.posts.get() >= postsAtClose);
        if (round == 4) {
          System.out.printf("[reliability] close under load, last round: %s%n", figures);
        }
        filter.instances.clear();
      }
    }
  }

  @Test
  void interrupt_ends_untimed_timed_and_buffer_waits_and_keeps_the_status() throws Exception {
    EmulatedKQueue kq = EmulatedKQueue.open();
    try {
      kq.kevent(new KEvent[] {KEvent.of(1, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, null)}, null,
          Duration.ZERO);
      Callable[] waits = {
        () -> kq.kevent(null, new KEvent[1], null),
        () -> kq.kevent(null, new KEvent[1], Duration.ofHours(1)),
        () -> kq.kevent(null, new KEventBuffer(1), -1),
        () -> kq.kevent(null, new KEventBuffer(1), TimeUnit.HOURS.toNanos(1)),
      };
      for (Callable wait : waits) {
        THREADS.takeAll();
        AtomicBoolean statusKept = new AtomicBoolean();
        CompletableFuture<Object> result = inThread("waiter", () -> {
          Object n = wait.call();
          statusKept.set(Thread.currentThread().isInterrupted());
          return n;
        });
        Thread t = THREADS.takeAll().get(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> blocked(t));
        t.interrupt();
        // A hang guard, not a time limit: the waits are untimed or an hour long, so only the
        // interrupt can end them within this bound.
        t.join(TimeUnit.MINUTES.toMillis(1));
        assertFalse(t.isAlive(), "the interrupt ended the wait");
        assertEquals(0, result.getNow(null), "an interrupted wait returns 0");
        assertTrue(statusKept.get(), "the interrupt status stays set");
      }
      // Nothing was lost on the way: a trigger now is delivered to the next call.
      kq.kevent(new KEvent[] {KEvent.of(1, EVFILT_USER, 0, NOTE_TRIGGER, 0, null)}, null,
          Duration.ZERO);
      KEvent[] out = new KEvent[1];
      assertEquals(1, kq.kevent(null, out, Duration.ofSeconds(5)));
      kq.checkInvariants();
    } finally {
      kq.close();
    }
  }

  @Test
  void an_interrupted_thread_still_collects_pending_events() throws Exception {
    EmulatedKQueue kq = EmulatedKQueue.open();
    try {
      kq.kevent(new KEvent[] {KEvent.of(1, EVFILT_USER, EV_ADD | EV_CLEAR, NOTE_TRIGGER, 0, null)},
          null, Duration.ZERO);
      Thread.currentThread().interrupt();
      KEvent[] out = new KEvent[1];
      assertEquals(1, kq.kevent(null, out, null), "a pending event is returned, not lost");
      assertTrue(Thread.interrupted());
      assertFalse(Thread.currentThread().isInterrupted());
    } finally {
      Thread.interrupted();
      kq.close();
    }
  }
}
