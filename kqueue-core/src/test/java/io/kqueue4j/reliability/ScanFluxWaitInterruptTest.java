package io.kqueue4j.reliability;

import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.testing.CallThread.start;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.KEvent;
import io.kqueue4j.kernel.EmulatedKQueue;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.KEventSink;
import io.kqueue4j.kernel.KNote;
import io.kqueue4j.testing.CallThread.Call;
import io.kqueue4j.testing.FilterSlot;
import io.kqueue4j.testing.Gate;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Interrupts of a {@code kevent} scan that waits for flux ({@code KQ_FLUXWAIT} in {@code
 * kqueue_scan}): for another scanner's marker at the head of the active queue, or for a knote there
 * that a change holds in flux. That wait is a flux wait, uninterruptible as in FreeBSD
 * (docs/architecture.md, "Flux waits are uninterruptible"), not a wait for events: the interrupt
 * does not end it. Once the flux ends the scan goes on and ends as an interrupted {@code kevent}
 * does ({@code KQueue}'s javadoc): with the events it collected, 0 when there are none, and the
 * interrupt status still set. The event held in flux is delivered exactly once.
 *
 * <p>A thread counts as waiting for flux when its stack shows {@code EmulatedKQueue.fluxWait}
 * called by the scan and it is parked; that it saw the interrupt and went on waiting shows as its
 * interrupt status consumed (the uninterruptible wait clears it and sets it again on return) while
 * it is parked there again.
 */
class ScanFluxWaitInterruptTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Blocks {@code process} or {@code touch} until the test opens its {@link Gate}. */
  static final class BlockingFilter implements FilterOps {
    final Gate gate = new Gate();
    final AtomicInteger delivered = new AtomicInteger();
    private final boolean blockInProcess;

    BlockingFilter(boolean blockInProcess) {
      this.blockInProcess = blockInProcess;
    }

    @Override
    public void attach(KNote kn) {}

    @Override
    public void detach(KNote kn) {}

    @Override
    public boolean event(KNote kn, long hint) {
      return true;
    }

    @Override
    public void touch(KNote kn, int flags, int fflags, long data) {
      if (!blockInProcess) {
        gate.pass();
      }
    }

    @Override
    public boolean process(KNote kn, KEventSink out) {
      if (blockInProcess) {
        gate.pass();
      }
      delivered.incrementAndGet();
      kn.deliverTo(out);
      return true;
    }
  }

  /** A scan with room for four events and no timeout; returns the events it got. */
  private static Call scanForever(EmulatedKQueue kq) {
    return () -> {
      KEvent[] out = new KEvent[4];
      return Arrays.copyOf(out, kq.kevent(null, out, null));
    };
  }

  /** Whether {@code t} is parked in the kqueue's flux wait, called by the scan. */
  static boolean inScanFluxWait(Thread t) {
    if (t.getState() != Thread.State.WAITING) {
      return false;
    }
    StackTraceElement[] stack = t.getStackTrace();
    String kq = EmulatedKQueue.class.getName();
    for (int i = 0; i + 1 < stack.length; i++) {
      if (stack[i].getClassName().equals(kq) && stack[i].getMethodName().equals("fluxWait")) {
        return stack[i + 1].getClassName().equals(kq)
            && stack[i + 1].getMethodName().equals("scan");
      }
    }
    return false;
  }

  /**
   * Interrupts {@code t}, parked in the scan's flux wait, and waits until it parks there again;
   * fails if its call, {@code result}, ends meanwhile.
   */
  private static void interruptAndSeeItWaitOn(Thread t, CompletableFuture<Object> result) {
    await().atMost(WAIT).until(() -> inScanFluxWait(t));
    t.interrupt();
    await().atMost(WAIT).until(() -> {
      assertFalse(result.isDone(), () -> "the interrupt ended the flux wait: "
          + Arrays.deepToString(new Object[] {result.join()}));
      return !t.isInterrupted() && inScanFluxWait(t);
    });
    assertFalse(result.isDone(), "the interrupt did not end the flux wait");
  }

  private static KEvent[] events(Object outcome) {
    assertTrue(outcome instanceof KEvent[], "kevent returned normally: " + outcome);
    return (KEvent[]) outcome;
  }

  @Test
  void a_scan_waiting_for_another_scanners_marker_waits_on_and_returns_0_with_the_status_kept()
      throws Exception {
    BlockingFilter filter = new BlockingFilter(true);
    try (FilterSlot slot = FilterSlot.install(filter)) {
      EmulatedKQueue kq = EmulatedKQueue.open();
      try {
        kq.kevent(new KEvent[] {KEvent.of(1, slot.filter, EV_ADD | EV_CLEAR, 0, 0, "u")}, null,
            Duration.ZERO);
        CompletableFuture<Object> first = start("first scanner", new Thread[1],
            new AtomicBoolean(), scanForever(kq));
        assertTrue(filter.gate.awaitEntered(10, TimeUnit.SECONDS), "the first scan is in process");
        Thread[] second = new Thread[1];
        AtomicBoolean keptStatus = new AtomicBoolean();
        CompletableFuture<Object> secondResult = start("second scanner", second, keptStatus,
            scanForever(kq));
        interruptAndSeeItWaitOn(second[0], secondResult);
        filter.gate.open();
        KEvent expected = KEvent.of(1, slot.filter, EV_CLEAR, 0, 0, "u");
        assertArrayEquals(new KEvent[] {expected}, events(first.get(10, TimeUnit.SECONDS)));
        assertArrayEquals(new KEvent[0], events(secondResult.get(10, TimeUnit.SECONDS)),
            "the second scan found nothing left and returned 0");
        assertTrue(keptStatus.get(), "the interrupt status stays set");
        assertEquals(0, kq.kevent(null, new KEvent[4], Duration.ZERO), "delivered once");
        assertEquals(1, filter.delivered.get());
        assertEquals(1, kq.checkInvariants());
      } finally {
        filter.gate.open();
        kq.close();
      }
    }
  }

  @Test
  void a_scan_waiting_for_a_knote_in_flux_at_the_head_waits_on_and_delivers_it_status_kept()
      throws Exception {
    BlockingFilter filter = new BlockingFilter(false);
    try (FilterSlot slot = FilterSlot.install(filter)) {
      EmulatedKQueue kq = EmulatedKQueue.open();
      try {
        kq.kevent(new KEvent[] {KEvent.of(1, slot.filter, EV_ADD | EV_CLEAR, 0, 0, "u")}, null,
            Duration.ZERO);
        CompletableFuture<Object> changed = start("changer", new Thread[1], new AtomicBoolean(),
            () -> kq.kevent(new KEvent[] {KEvent.of(1, slot.filter, EV_ADD, 0, 0, "v")}, null,
                Duration.ZERO));
        assertTrue(filter.gate.awaitEntered(10, TimeUnit.SECONDS), "the queued knote is in touch");
        Thread[] scanner = new Thread[1];
        AtomicBoolean keptStatus = new AtomicBoolean();
        CompletableFuture<Object> scanned = start("scanner", scanner, keptStatus,
            scanForever(kq));
        interruptAndSeeItWaitOn(scanner[0], scanned);
        filter.gate.open();
        assertEquals(0, changed.get(10, TimeUnit.SECONDS));
        KEvent expected = KEvent.of(1, slot.filter, EV_CLEAR, 0, 0, "v");
        assertArrayEquals(new KEvent[] {expected}, events(scanned.get(10, TimeUnit.SECONDS)),
            "the scan delivered the knote once it left flux, as changed");
        assertTrue(keptStatus.get(), "the interrupt status stays set");
        assertEquals(0, kq.kevent(null, new KEvent[4], Duration.ZERO), "delivered once");
        assertEquals(1, filter.delivered.get());
        assertEquals(1, kq.checkInvariants());
      } finally {
        filter.gate.open();
        kq.close();
      }
    }
  }
}
