package io.kqueue4j.kernel;

import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.KEvent;
import io.kqueue4j.KQueueException;
import io.kqueue4j.testing.CallThread;
import io.kqueue4j.testing.FilterSlot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ActivationBatch}: a run of activations holds the kqueue's lock from one activation to the
 * next, gives it up when a knote of another kqueue comes, after {@link ActivationBatch#MAX_RUN}
 * activations and at {@link ActivationBatch#flush()}, and every knote it activated is delivered.
 */
class ActivationBatchTest {

  /** Knotes made pending and activated through the batch. */
  private static final class SourceFilter extends PendingFilter {
    void fire(KNote kn, ActivationBatch batch) {
      setPending(kn.ident(), true);
      batch.activate(kn);
    }
  }

  private final SourceFilter filter = new SourceFilter();
  private final ActivationBatch batch = new ActivationBatch();
  private FilterSlot slot;
  private EmulatedKQueue first;
  private EmulatedKQueue second;

  @BeforeEach
  void open() throws KQueueException {
    slot = FilterSlot.install(filter);
    first = EmulatedKQueue.open();
    second = EmulatedKQueue.open();
  }

  @AfterEach
  void close() throws KQueueException {
    batch.flush();
    first.close();
    second.close();
    slot.close();
  }

  /** Registers knotes {@code from..to-1} on {@code kq}, idle, and returns them. */
  private List<KNote> register(EmulatedKQueue kq, long from, long to) throws KQueueException {
    List<KNote> added = new ArrayList<>();
    for (long ident = from; ident < to; ident++) {
      kq.kevent(new KEvent[] {KEvent.of(ident, slot.filter, EV_ADD | EV_CLEAR, 0, 0, null)}, null,
          Duration.ZERO);
      added.add(filter.knotes.get(ident));
    }
    return added;
  }

  @Test
  void a_run_holds_the_kqueues_lock_until_another_kqueues_knote_or_a_flush() throws Exception {
    List<KNote> ofFirst = register(first, 1, 3);
    List<KNote> ofSecond = register(second, 101, 102);
    filter.fire(ofFirst.get(0), batch);
    assertTrue(first.holdsLock(), "the run keeps the first kqueue's lock");
    filter.fire(ofFirst.get(1), batch);
    filter.fire(ofSecond.get(0), batch);
    assertFalse(first.holdsLock(), "a knote of another kqueue ends the first run");
    assertTrue(second.holdsLock());
    batch.flush();
    assertFalse(second.holdsLock(), "flush ends the run");
    assertEquals(2, first.kevent(null, new KEvent[4], Duration.ZERO));
    assertEquals(1, second.kevent(null, new KEvent[4], Duration.ZERO));
  }

  @Test
  void enter_holds_the_lock_for_a_change_before_the_activation() throws Exception {
    List<KNote> knotes = register(first, 1, 2);
    batch.enter(knotes.get(0));
    assertTrue(first.holdsLock(), "enter starts a run without activating");
    assertEquals(0, first.pendingCount());
    filter.fire(knotes.get(0), batch);
    assertEquals(1, first.pendingCount());
    batch.flush();
    assertFalse(first.holdsLock());
  }

  @Test
  void runs_longer_than_max_run_deliver_every_knote() throws Exception {
    List<KNote> knotes = register(first, 1, 2 * ActivationBatch.MAX_RUN + 2);
    for (KNote kn : knotes) {
      filter.fire(kn, batch);
    }
    assertTrue(first.holdsLock());
    batch.flush();
    assertFalse(first.holdsLock());
    assertEquals(knotes.size(), first.kevent(null, new KEvent[knotes.size() + 1], Duration.ZERO));
  }

  @Test
  void a_sleeper_of_the_kqueue_is_woken_when_the_run_ends() throws Exception {
    List<KNote> knotes = register(first, 1, 2);
    Thread[] sleeper = new Thread[1];
    CompletableFuture<Object> returned = CallThread.start("sleeper", sleeper, new AtomicBoolean(),
        () -> first.kevent(null, new KEvent[4], Duration.ofSeconds(30)));
    await().atMost(Duration.ofSeconds(10)).until(() -> sleeper[0].getState()
        == Thread.State.TIMED_WAITING && Arrays.stream(sleeper[0].getStackTrace()).anyMatch(
            f -> f.getMethodName().equals("sleep") && f.getClassName().endsWith("EmulatedKQueue")));
    filter.fire(knotes.get(0), batch);
    batch.flush();
    assertEquals(1, returned.get(10, TimeUnit.SECONDS));
  }
}
