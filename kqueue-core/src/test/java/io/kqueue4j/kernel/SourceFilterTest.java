package io.kqueue4j.kernel;

import static io.kqueue4j.KEvent.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A filter added at run time ({@code kqueue_add_filteropts}) whose knotes hang on a {@link
 * KNoteList} that a source thread posts to: the path every filter module takes.
 */
class SourceFilterTest {
  private static final short EVFILT_COUNTER = -30;

  /** A counter source: each post adds the hint to {@code data}; EOF when the hint is negative. */
  static final class CounterFilter implements FilterOps {
    final KNoteList source = new KNoteList();
    final AtomicInteger detached = new AtomicInteger();

    @Override
    public void attach(KNote kn) throws KQueueException {
      if (kn.sfflags() != 0) {
        throw new KQueueException("kevent", Errno.EINVAL, "fflags must be 0");
      }
      source.add(kn);
    }

    @Override
    public void detach(KNote kn) {
      detached.incrementAndGet();
      source.remove(kn);
    }

    @Override
    public boolean event(KNote kn, long hint) {
      if (hint < 0) {
        kn.addFlags(EV_EOF);
        source.remove(kn); // final: detached by the filter itself
      } else {
        kn.setData(kn.data() + hint);
      }
      return kn.data() > 0 || (kn.flags() & EV_EOF) != 0;
    }
  }

  private CounterFilter filter;
  private KQueue kq;

  @BeforeEach
  void setUp() throws KQueueException {
    filter = new CounterFilter();
    Filters.add(EVFILT_COUNTER, filter);
    kq = KQueue.emulated();
  }

  @AfterEach
  void tearDown() throws KQueueException {
    kq.close();
    Filters.remove(EVFILT_COUNTER);
  }

  private KEvent[] poll() throws KQueueException {
    KEvent[] out = new KEvent[8];
    return Arrays.copyOf(out, kq.kevent(null, out, Duration.ZERO));
  }

  private void add(long ident, int flags, int fflags) throws KQueueException {
    kq.kevent(new KEvent[] {KEvent.of(ident, EVFILT_COUNTER, flags, fflags, 0, null)}, null,
        Duration.ZERO);
  }

  @Test
  void posts_from_another_thread_accumulate_until_delivered() throws Exception {
    add(1, EV_ADD | EV_CLEAR, 0);
    Thread source = new Thread(() -> {
      for (int i = 0; i < 1000; i++) {
        filter.source.post(1);
      }
    });
    source.start();
    source.join();
    KEvent[] events = poll();
    assertEquals(1, events.length);
    assertEquals(1000, events[0].data(), "every post counted, none lost");
    assertEquals(0, poll().length);
  }

  @Test
  void attach_error_reaches_the_change_with_fflags_zero() throws Exception {
    KEvent[] out = new KEvent[1];
    kq.kevent(new KEvent[] {KEvent.of(1, EVFILT_COUNTER, EV_ADD, 7, 0, null)}, out, Duration.ZERO);
    assertEquals(KEvent.of(1, EVFILT_COUNTER, EV_ERROR, 0, Errno.EINVAL, null), out[0]);
  }

  @Test
  void self_detached_knote_is_not_detached_again() throws Exception {
    add(1, EV_ADD, 0);
    filter.source.post(-1);
    KEvent ev = poll()[0];
    assertEquals(EV_EOF, ev.flags() & EV_EOF);
    add(1, EV_DELETE, 0);
    assertEquals(0, filter.detached.get(), "detach is skipped for a knote its filter detached");
  }

  @Test
  void delete_detaches_once() throws Exception {
    add(1, EV_ADD, 0);
    add(1, EV_DELETE, 0);
    assertEquals(1, filter.detached.get());
    filter.source.post(5);
    assertEquals(0, poll().length, "a deleted knote gets no more events");
  }

  @Test
  void close_detaches_every_knote() throws Exception {
    for (int i = 0; i < 100; i++) {
      add(i, EV_ADD, 0);
    }
    kq.close();
    assertEquals(100, filter.detached.get());
    assertTrue(filter.source.isEmpty());
  }

  @Test
  void revoke_reports_eof_once_then_the_knote_is_gone() throws Exception {
    add(1, EV_ADD, 0);
    filter.source.revoke(NOTE_REVOKE);
    KEvent ev = poll()[0];
    assertEquals(EV_EOF | EV_ONESHOT, ev.flags() & (EV_EOF | EV_ONESHOT));
    assertEquals(NOTE_REVOKE, ev.fflags());
    assertEquals(0, poll().length);
    assertEquals(0, filter.detached.get());
  }

  @Test
  void filter_in_use_cannot_be_removed_and_slots_cannot_be_taken_twice() throws Exception {
    add(1, EV_ADD, 0);
    assertEquals(Errno.EBUSY,
        assertThrows(KQueueException.class, () -> Filters.remove(EVFILT_COUNTER)).errno());
    assertEquals(Errno.EEXIST,
        assertThrows(KQueueException.class, () -> Filters.add(EVFILT_COUNTER, filter)).errno());
    assertEquals(Errno.EINVAL,
        assertThrows(KQueueException.class, () -> Filters.add((short) -40, filter)).errno());
    add(1, EV_DELETE, 0);
  }

  @Test
  void unregistered_filter_slot_is_enxio() throws Exception {
    KEvent[] out = new KEvent[1];
    kq.kevent(new KEvent[] {KEvent.of(1, (short) -29, EV_ADD, 0, 0, null)}, out, Duration.ZERO);
    assertEquals(Errno.ENXIO, out[0].data());
    kq.kevent(new KEvent[] {KEvent.of(1, EVFILT_AIO, EV_ADD, 0, 0, null)}, out, Duration.ZERO);
    assertEquals(Errno.ENXIO, out[0].data());
  }

  @Test
  void descriptor_filter_on_a_closed_descriptor_is_ebadf() throws Exception {
    KEvent[] out = new KEvent[1];
    kq.kevent(new KEvent[] {KEvent.of(987654, EVFILT_READ, EV_ADD, 0, 0, null)}, out,
        Duration.ZERO);
    assertEquals(Errno.EBADF, out[0].data());
    kq.kevent(new KEvent[] {KEvent.of(1L << 40, EVFILT_READ, EV_DELETE, 0, 0, null)}, out,
        Duration.ZERO);
    assertEquals(Errno.EBADF, out[0].data(), "EBADF, not ENOENT, for every action");
  }

  @Test
  void invariants_hold_after_mixed_use() throws Exception {
    add(1, EV_ADD, 0);
    add(2, EV_ADD | EV_DISPATCH, 0);
    filter.source.post(3);
    poll();
    poll();
    assertEquals(2, ((EmulatedKQueue) kq).checkInvariants());
  }
}
