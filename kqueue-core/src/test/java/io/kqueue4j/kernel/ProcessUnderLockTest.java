package io.kqueue4j.kernel;

import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.KEvent;
import io.kqueue4j.KQueueException;
import io.kqueue4j.testing.FilterSlot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link FilterOps#processesUnderKQueueLock}: the scan keeps the kqueue's lock around {@code
 * process} for a filter that asks for it and drops it for every other (FreeBSD's way), and a
 * {@code process} under the lock may reactivate its knote.
 */
class ProcessUnderLockTest {

  /** Records whether its process ran under the kqueue's lock; reactivates while asked to. */
  private static final class RecordingFilter implements FilterOps {
    final boolean underLock;
    final List<Boolean> heldInProcess = new ArrayList<>();
    int reactivations;

    RecordingFilter(boolean underLock) {
      this.underLock = underLock;
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
    public boolean process(KNote kn, KEventSink out) {
      heldInProcess.add(kn.kq.holdsLock());
      out.put(kn.ident(), kn.filter(), kn.flags(), 0, heldInProcess.size(), kn.udata());
      if (reactivations > 0) {
        reactivations--;
        kn.activate();
      }
      return true;
    }

    @Override
    public boolean processesUnderKQueueLock() {
      return underLock;
    }
  }

  @Test
  void theLockIsKeptOnlyForAFilterThatAsks() throws Exception {
    for (boolean asks : new boolean[] {true, false}) {
      RecordingFilter filter = new RecordingFilter(asks);
      try (FilterSlot slot = FilterSlot.install(filter);
          EmulatedKQueue kq = EmulatedKQueue.open()) {
        KEvent[] out = new KEvent[4];
        int n = kq.kevent(new KEvent[] {KEvent.of(1, slot.filter, EV_ADD | EV_CLEAR, 0, 0, null)},
            out, Duration.ZERO);
        assertEquals(1, n);
        assertEquals(List.of(asks), filter.heldInProcess);
      }
    }
  }

  @Test
  void aProcessUnderTheLockReactivatesItsKnoteForTheNextScan() throws Exception {
    RecordingFilter filter = new RecordingFilter(true);
    filter.reactivations = 2;
    try (FilterSlot slot = FilterSlot.install(filter);
        EmulatedKQueue kq = EmulatedKQueue.open()) {
      KEvent[] out = new KEvent[4];
      kq.kevent(new KEvent[] {KEvent.of(7, slot.filter, EV_ADD | EV_CLEAR, 0, 0, null)}, null,
          Duration.ZERO);
      // each scan delivers the knote once (it is in SCAN while processed) and queues it again
      List<Long> data = new ArrayList<>();
      for (int scan = 0; scan < 3; scan++) {
        int n = CompletableFuture.supplyAsync(() -> scan(kq, out))
            .get(10, TimeUnit.SECONDS); // a process that deadlocked on its own lock would hang
        assertEquals(1, n, "scan " + scan);
        data.add(out[0].data());
      }
      assertEquals(List.of(1L, 2L, 3L), data);
      assertEquals(0, kq.kevent(null, 0, out, 4, Duration.ZERO), "no fourth activation");
      assertTrue(filter.heldInProcess.stream().allMatch(held -> held));
      assertFalse(kq.holdsLock());
    }
  }

  private static int scan(EmulatedKQueue kq, KEvent[] out) {
    try {
      return kq.kevent(null, 0, out, out.length, Duration.ZERO);
    } catch (KQueueException e) {
      throw new IllegalStateException(e);
    }
  }
}
