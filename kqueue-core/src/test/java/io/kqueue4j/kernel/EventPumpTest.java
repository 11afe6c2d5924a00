package io.kqueue4j.kernel;

import static io.kqueue4j.KEvent.*;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueueException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The kernel's side of {@link EventPump}: a thread in {@code kevent} polls the source itself when
 * it can, and the pump's own thread covers when no thread waits. The source here is a script that
 * ignores {@link Thread#interrupt()} while it waits, as {@code epoll_wait} does; the real source
 * (epoll) runs under every descriptor test of {@code native-linux}.
 */
class EventPumpTest {
  private static final short EVFILT_PUMPED = -28;
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static ScriptedSource source;
  private static EventPump pump;
  private static final KNoteList knotes = new KNoteList();

  private EmulatedKQueue kq;
  private ExecutorService callers;

  /** Knotes that hang on {@link #knotes} and whose events come through {@link #pump}. */
  static final class PumpedFilter implements FilterOps {
    @Override
    public void attach(KNote kn) {
      kn.usePump(pump);
      knotes.add(kn);
    }

    @Override
    public void detach(KNote kn) {
      knotes.remove(kn);
    }

    @Override
    public boolean event(KNote kn, long hint) {
      kn.setData(kn.data() + hint);
      return kn.data() > 0;
    }
  }

  /**
   * A source whose events the test scripts: {@link #fire} posts to every knote on the next poll,
   * and records the thread that polled.
   */
  static final class ScriptedSource implements EventPump.Source {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int pending;
    private boolean woken;
    private volatile Thread poller;
    private final List<String> dispatchers = new ArrayList<>();

    void fire() {
      lock.lock();
      try {
        pending++;
        changed.signal();
      } finally {
        lock.unlock();
      }
    }

    Thread poller() {
      return poller;
    }

    List<String> dispatchers() {
      lock.lock();
      try {
        return new ArrayList<>(dispatchers);
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void poll(long nanos) {
      int events;
      boolean interrupted = false;
      lock.lock();
      try {
        poller = Thread.currentThread();
        long left = nanos;
        while (pending == 0 && !woken && left != 0) {
          try {
            if (left < 0) {
              changed.await();
            } else {
              left = Math.max(0, changed.awaitNanos(left));
            }
          } catch (InterruptedException e) {
            interrupted = true; // a native wait does not end on an interrupt
          }
        }
        poller = null;
        woken = false;
        events = pending;
        pending = 0;
        if (events > 0) {
          dispatchers.add(Thread.currentThread().getName());
        }
      } finally {
        lock.unlock();
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
      if (events > 0) {
        knotes.post(events);
      }
    }

    @Override
    public void wakeup() {
      lock.lock();
      try {
        woken = true;
        changed.signal();
      } finally {
        lock.unlock();
      }
    }
  }

  @BeforeAll
  static void startPump() throws KQueueException {
    source = new ScriptedSource();
    pump = new EventPump("test-pump", source);
    Filters.add(EVFILT_PUMPED, new PumpedFilter());
  }

  @AfterAll
  static void removeFilter() throws KQueueException {
    Filters.remove(EVFILT_PUMPED);
  }

  @BeforeEach
  void open() throws KQueueException {
    callers = Executors.newCachedThreadPool(r -> new Thread(r, "kevent-caller"));
    kq = EmulatedKQueue.open();
    kq.kevent(new KEvent[] {KEvent.of(1, EVFILT_PUMPED, EV_ADD | EV_CLEAR, 0, 0, null)}, 1,
        new KEvent[0], 0, Duration.ZERO);
  }

  @AfterEach
  void close() {
    kq.close();
    callers.shutdownNow();
  }

  private CompletableFuture<KEvent[]> waitInKevent(EmulatedKQueue queue, Duration timeout) {
    return CompletableFuture.supplyAsync(() -> {
      KEvent[] out = new KEvent[4];
      try {
        return Arrays.copyOf(out, queue.kevent(null, 0, out, 4, timeout));
      } catch (KQueueException e) {
        throw new IllegalStateException(e);
      }
    }, callers);
  }

  private static void awaitPollerNamed(String name) {
    await().atMost(WAIT).until(() -> {
      Thread t = source.poller();
      return t != null && t.getName().equals(name);
    });
  }

  @Test
  void theThreadInKeventPollsTheSourceAndReceivesItsEventWithoutAHandOff() throws Exception {
    CompletableFuture<KEvent[]> result = waitInKevent(kq, null);
    awaitPollerNamed("kevent-caller"); // the pump's thread handed the lead over
    source.fire();
    KEvent[] events = result.get(10, TimeUnit.SECONDS);
    assertEquals(1, events.length);
    assertEquals(EVFILT_PUMPED, events[0].filter());
    assertEquals(1, events[0].data());
    List<String> dispatchers = source.dispatchers();
    assertEquals("kevent-caller", dispatchers.get(dispatchers.size() - 1));
  }

  @Test
  void withNoThreadInKeventThePumpsThreadKeepsEventsFlowing() throws Exception {
    awaitPollerNamed("test-pump");
    source.fire();
    await().atMost(WAIT).until(() -> kq.pendingCount() == 1);
    List<String> dispatchers = source.dispatchers();
    assertEquals("test-pump", dispatchers.get(dispatchers.size() - 1));
  }

  @Test
  void aLeadLongerThanAGracePeriodGivesTheSourceBackToThePumpsThreadWhenItEnds() throws Exception {
    // the caller leads for 50 grace periods: the pump's thread sleeps until the caller releases
    assertEquals(0, kq.kevent(null, 0, new KEvent[1], 1, Duration.ofMillis(50)));
    awaitPollerNamed("test-pump");
    source.fire();
    await().atMost(WAIT).until(() -> kq.pendingCount() == 1);
  }

  @Test
  void anInterruptEndsTheWaitOfTheThreadPollingTheSource() throws Exception {
    Thread[] caller = new Thread[1];
    CompletableFuture<Boolean> keptStatus = CompletableFuture.supplyAsync(() -> {
      caller[0] = Thread.currentThread();
      try {
        int n = kq.kevent(null, 0, new KEvent[1], 1, null);
        return n == 0 && Thread.interrupted();
      } catch (KQueueException e) {
        throw new IllegalStateException(e);
      }
    }, callers);
    awaitPollerNamed("kevent-caller");
    caller[0].interrupt();
    assertTrue(keptStatus.get(10, TimeUnit.SECONDS), "kevent returns 0, interrupt status kept");
  }

  @Test
  void closeEndsTheWaitOfTheThreadPollingTheSource() {
    CompletableFuture<KEvent[]> result = waitInKevent(kq, null);
    awaitPollerNamed("kevent-caller");
    kq.close();
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> result.get(10, TimeUnit.SECONDS));
    KQueueException cause = (KQueueException) e.getCause().getCause();
    assertEquals(Errno.EBADF, cause.errno());
  }

  @Test
  void aUserTriggerFromAnotherThreadWakesTheThreadPollingTheSource() throws Exception {
    kq.kevent(new KEvent[] {KEvent.of(7, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, null)}, 1,
        new KEvent[0], 0, Duration.ZERO);
    CompletableFuture<KEvent[]> result = waitInKevent(kq, null);
    awaitPollerNamed("kevent-caller");
    kq.kevent(new KEvent[] {KEvent.of(7, EVFILT_USER, 0, NOTE_TRIGGER, 0, null)}, 1,
        new KEvent[0], 0, Duration.ZERO);
    KEvent[] events = result.get(10, TimeUnit.SECONDS);
    assertEquals(1, events.length);
    assertEquals(EVFILT_USER, events[0].filter());
  }

  @Test
  void timeoutsAreKeptWhileLeadingAndBelowThePumpsResolution() throws Exception {
    for (Duration timeout : List.of(Duration.ofMillis(30), Duration.ofNanos(300_000))) {
      long start = System.nanoTime();
      int n = kq.kevent(null, 0, new KEvent[1], 1, timeout);
      long elapsed = System.nanoTime() - start;
      assertEquals(0, n);
      assertTrue(elapsed >= timeout.toNanos(), timeout + " took only " + elapsed + " ns");
    }
  }

  @Test
  void aZeroTimeoutCollectsWhatTheSourceHasReady() throws Exception {
    CompletableFuture<KEvent[]> leader = waitInKevent(kq, Duration.ofSeconds(30));
    awaitPollerNamed("kevent-caller");
    EmulatedKQueue other = EmulatedKQueue.open();
    try {
      other.kevent(new KEvent[] {KEvent.of(2, EVFILT_PUMPED, EV_ADD | EV_CLEAR, 0, 0, null)}, 1,
          new KEvent[0], 0, Duration.ZERO);
      source.fire(); // the leader dispatches to both kqueues
      assertEquals(1, leader.get(10, TimeUnit.SECONDS).length);
      KEvent[] out = new KEvent[1];
      await().atMost(WAIT).until(() -> other.kevent(null, 0, out, 1, Duration.ZERO) == 1);
      assertEquals(2, out[0].ident());
    } finally {
      other.close();
    }
  }

  @Test
  void twoKQueuesOnOnePumpBothReceiveTheirEvents() throws Exception {
    EmulatedKQueue other = EmulatedKQueue.open();
    try {
      other.kevent(new KEvent[] {KEvent.of(2, EVFILT_PUMPED, EV_ADD | EV_CLEAR, 0, 0, null)}, 1,
          new KEvent[0], 0, Duration.ZERO);
      CompletableFuture<KEvent[]> first = waitInKevent(kq, null);
      CompletableFuture<KEvent[]> second = waitInKevent(other, null);
      awaitPollerNamed("kevent-caller");
      source.fire();
      assertEquals(1, first.get(10, TimeUnit.SECONDS)[0].ident());
      assertEquals(2, second.get(10, TimeUnit.SECONDS)[0].ident());
      assertFalse(first.isCompletedExceptionally() || second.isCompletedExceptionally());
    } finally {
      other.close();
    }
  }
}
