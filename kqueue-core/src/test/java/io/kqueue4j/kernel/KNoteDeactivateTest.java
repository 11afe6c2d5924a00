package io.kqueue4j.kernel;

import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kqueue4j.KEvent;
import io.kqueue4j.KQueueException;
import io.kqueue4j.testing.FilterSlot;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link KNote#deactivate()} from {@link FilterOps#touch}: the knote leaves the active queue, so a
 * later activation queues it behind the knotes activated meanwhile, as FreeBSD's {@code
 * knote_dequeue} in {@code filt_timertouch} does.
 */
class KNoteDeactivateTest {

  /** Knotes activated by the test; a change with fflags 1 discards the pending event. */
  private static final class DiscardingFilter extends PendingFilter {
    @Override
    public void touch(KNote kn, int flags, int fflags, long data) {
      if (fflags == 1) {
        setPending(kn.ident(), false);
        kn.deactivate();
      }
    }

    void fire(long ident) {
      setPending(ident, true);
      knotes.get(ident).activate();
    }
  }

  @Test
  void a_deactivated_knote_is_queued_again_at_the_tail() throws KQueueException {
    DiscardingFilter filter = new DiscardingFilter();
    try (FilterSlot slot = FilterSlot.install(filter)) {
      EmulatedKQueue kq = EmulatedKQueue.open();
      try {
        KEvent[] adds = {KEvent.of(1, slot.filter, EV_ADD | EV_CLEAR, 0, 0, null),
            KEvent.of(2, slot.filter, EV_ADD | EV_CLEAR, 0, 0, null)};
        kq.kevent(adds, null, Duration.ZERO);
        filter.fire(1);
        kq.kevent(new KEvent[] {KEvent.of(1, slot.filter, 0, 1, 0, null)}, null, Duration.ZERO);
        assertEquals(2, kq.checkInvariants());
        filter.fire(2);
        filter.fire(1);
        KEvent[] out = new KEvent[4];
        int n = kq.kevent(null, out, Duration.ZERO);
        assertArrayEquals(new long[] {2, 1},
            Arrays.stream(out, 0, n).mapToLong(KEvent::ident).toArray());
        assertEquals(0, kq.kevent(null, out, Duration.ZERO));
      } finally {
        kq.close();
      }
    }
  }
}
