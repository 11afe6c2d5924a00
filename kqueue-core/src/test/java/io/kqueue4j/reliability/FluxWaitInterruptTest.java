package io.kqueue4j.reliability;

import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.EV_RECEIPT;
import static io.kqueue4j.testing.CallThread.start;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.EmulatedKQueue;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.KNote;
import io.kqueue4j.testing.FilterSlot;
import io.kqueue4j.testing.Gate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Interrupts of the calls that block for a knote in flux rather than for events: a change to a
 * knote whose {@code attach} is running in another thread, and {@code close()} while a knote is in
 * flux. As in FreeBSD (whose flux sleep takes no signal), the wait is not cut short: the call
 * completes once the knote leaves flux, with its normal result, and the interrupt status is still
 * set afterwards. The {@code kevent} waits for events are covered by {@link CloseAndInterruptTest}.
 */
class FluxWaitInterruptTest {

  /** A filter whose {@code attach} blocks until the test opens its {@link Gate}. */
  static final class BlockingAttachFilter implements FilterOps {
    final Gate gate = new Gate();
    volatile boolean detached;

    @Override
    public void attach(KNote kn) {
      gate.pass();
    }

    @Override
    public void detach(KNote kn) {
      detached = true;
    }

    @Override
    public boolean event(KNote kn, long hint) {
      return false;
    }
  }

  private static boolean waiting(Thread t) {
    return t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING;
  }

  /** Starts an {@code EV_ADD} of ident 1 and returns once it is in flux, blocked in attach. */
  private CompletableFuture<Object> addBlockedInAttach(EmulatedKQueue kq, FilterSlot slot,
      BlockingAttachFilter filter) throws InterruptedException {
    CompletableFuture<Object> added = start("adder", new Thread[1], new AtomicBoolean(), () ->
        kq.kevent(new KEvent[] {KEvent.of(1, slot.filter, EV_ADD, 0, 0, null)}, null,
            Duration.ZERO));
    assertTrue(filter.gate.awaitEntered(10, TimeUnit.SECONDS));
    return added;
  }

  @Test
  void a_change_waiting_for_a_knote_in_flux_completes_and_keeps_the_interrupt() throws Exception {
    BlockingAttachFilter filter = new BlockingAttachFilter();
    try (FilterSlot slot = FilterSlot.install(filter)) {
      EmulatedKQueue kq = EmulatedKQueue.open();
      try {
        CompletableFuture<Object> added = addBlockedInAttach(kq, slot, filter);
        Thread[] deleter = new Thread[1];
        AtomicBoolean keptStatus = new AtomicBoolean();
        CompletableFuture<Object> deleted = start("deleter", deleter, keptStatus, () -> {
          KEvent[] out = new KEvent[1];
          kq.kevent(new KEvent[] {KEvent.of(1, slot.filter, EV_DELETE | EV_RECEIPT, 0, 0, null)},
              out, Duration.ZERO);
          return out[0];
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> waiting(deleter[0]));
        deleter[0].interrupt();
        filter.gate.open();
        assertEquals(0, added.get(10, TimeUnit.SECONDS));
        Object receipt = deleted.get(10, TimeUnit.SECONDS);
        assertTrue(receipt instanceof KEvent ev && ev.data() == 0,
            "the delete waited for the attach and then succeeded: " + receipt);
        assertTrue(keptStatus.get(), "the interrupt status stays set");
        assertTrue(filter.detached);
        assertEquals(0, kq.checkInvariants());
      } finally {
        filter.gate.open();
        kq.close();
      }
    }
  }

  @Test
  void close_waiting_for_a_knote_in_flux_completes_and_keeps_the_interrupt() throws Exception {
    BlockingAttachFilter filter = new BlockingAttachFilter();
    try (FilterSlot slot = FilterSlot.install(filter)) {
      EmulatedKQueue kq = EmulatedKQueue.open();
      try {
        CompletableFuture<Object> added = addBlockedInAttach(kq, slot, filter);
        Thread[] closer = new Thread[1];
        AtomicBoolean keptStatus = new AtomicBoolean();
        CompletableFuture<Object> closed = start("closer", closer, keptStatus, () -> {
          kq.close();
          return "closed";
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> waiting(closer[0]));
        closer[0].interrupt();
        filter.gate.open();
        assertEquals("closed", closed.get(10, TimeUnit.SECONDS));
        assertTrue(keptStatus.get(), "the interrupt status stays set");
        Object outcome = added.get(10, TimeUnit.SECONDS);
        assertTrue(Integer.valueOf(0).equals(outcome)
            || outcome instanceof KQueueException e && e.errno() == Errno.EBADF,
            "the registration succeeded before the close or failed with EBADF: " + outcome);
        assertTrue(filter.detached, "close() dropped the knote once it left flux");
        assertEquals(0, kq.checkInvariants());
      } finally {
        filter.gate.open();
        kq.close();
      }
    }
  }
}
