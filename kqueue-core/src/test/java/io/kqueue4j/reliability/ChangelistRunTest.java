package io.kqueue4j.reliability;

import static io.kqueue4j.KEvent.EVFILT_USER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.EV_DISABLE;
import static io.kqueue4j.KEvent.EV_ERROR;
import static io.kqueue4j.KEvent.EV_RECEIPT;
import static io.kqueue4j.KEvent.NOTE_TRIGGER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.EmulatedKQueue;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.Filters;
import io.kqueue4j.kernel.KNote;
import io.kqueue4j.testing.FilterSlot;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Changelists of several {@code EV_ADD}/{@code EV_DELETE} changes, which the kernel registers in
 * runs under one lock hold: the outcome must be that of registering the changes one at a time. A
 * change that fails ends the call when there is no room for its error entry, and then the changes
 * after it must not have happened; with room, the changes after it still apply.
 */
class ChangelistRunTest extends ThrowingFilterFixture {
  private static KEvent add(long ident, short filt) {
    return KEvent.of(ident, filt, EV_ADD, 0, 0, null);
  }

  private static KEvent delete(long ident, short filt) {
    return KEvent.of(ident, filt, EV_DELETE, 0, 0, null);
  }

  /** The errno of an {@code EV_DELETE} of the knote: 0 when it existed (it is gone now). */
  private int deleteErrno(long ident, short filt) throws KQueueException {
    KEvent[] out = new KEvent[1];
    kq.kevent(new KEvent[] {KEvent.of(ident, filt, EV_DELETE | EV_RECEIPT, 0, 0, null)}, out,
        Duration.ZERO);
    return (int) out[0].data();
  }

  private KEvent[] poll() throws KQueueException {
    KEvent[] out = new KEvent[4096];
    return Arrays.copyOf(out, kq.kevent(null, out, Duration.ZERO));
  }

  @Test
  void a_failed_attach_with_room_reports_the_entry_and_the_changes_after_it_apply()
      throws Exception {
    filter.throwIn = "attach";
    filter.throwFor = 2;
    KEvent[] out = new KEvent[4];
    int n = kq.kevent(new KEvent[] {add(1, EVFILT_USER), add(2, f), add(3, f),
        KEvent.of(4, EVFILT_USER, EV_ADD | EV_CLEAR, NOTE_TRIGGER, 0, null)}, out, Duration.ZERO);
    assertEquals(1, n);
    assertEquals(KEvent.of(2, f, EV_ERROR, 0, Errno.EIO, null), out[0]);
    filter.throwIn = "";
    assertEquals(3, kq.checkInvariants());
    KEvent[] events = poll();
    assertEquals(1, events.length, Arrays.toString(events));
    assertEquals(4, events[0].ident());
    assertEquals(0, deleteErrno(1, EVFILT_USER));
    assertEquals(Errno.ENOENT, deleteErrno(2, f));
    assertEquals(0, deleteErrno(3, f));
  }

  @Test
  void a_failed_attach_without_room_ends_the_call_before_the_changes_after_it() throws Exception {
    filter.throwIn = "attach";
    filter.throwFor = 2;
    KQueueException e = assertThrows(KQueueException.class, () -> kq.kevent(new KEvent[] {
        add(1, EVFILT_USER), add(1, f), add(2, f), add(3, f), add(3, EVFILT_USER)}, null,
        Duration.ZERO));
    assertEquals(Errno.EIO, e.errno());
    filter.throwIn = "";
    assertEquals(2, kq.checkInvariants(), "the changes before the failed one, no more");
    assertEquals(0, deleteErrno(1, EVFILT_USER));
    assertEquals(0, deleteErrno(1, f));
    assertEquals(Errno.ENOENT, deleteErrno(3, f));
    assertEquals(Errno.ENOENT, deleteErrno(3, EVFILT_USER));
  }

  @Test
  void an_error_from_attach_leaves_the_changes_before_it_and_undoes_those_after() throws Exception {
    filter.throwIn = "attach";
    filter.throwFor = 2;
    filter.throwError = true;
    KEventBuffer changes = new KEventBuffer(4);
    changes.add(1, f, EV_ADD, 0, 0, null).add(2, f, EV_ADD, 0, 0, null)
        .add(3, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0, null).add(4, f, EV_ADD, 0, 0, null);
    assertThrows(AssertionError.class, () -> kq.kevent(changes, new KEventBuffer(4), 0));
    filter.throwIn = "";
    assertEquals(1, kq.checkInvariants());
    assertEquals(0, poll().length, "the undone trigger left no event");
    assertEquals(0, deleteErrno(1, f));
    assertEquals(Errno.ENOENT, deleteErrno(2, f));
    assertEquals(Errno.ENOENT, deleteErrno(3, EVFILT_USER));
  }

  @Test
  void a_failed_detach_drops_its_knote_and_ends_the_call_before_the_next_delete()
      throws Exception {
    kq.kevent(new KEvent[] {add(1, f), add(2, EVFILT_USER), add(3, f)}, null, Duration.ZERO);
    filter.throwIn = "detach";
    filter.throwFor = 1;
    KQueueException e = assertThrows(KQueueException.class, () -> kq.kevent(
        new KEvent[] {delete(1, f), delete(2, EVFILT_USER), delete(3, f)}, null, Duration.ZERO));
    assertEquals(Errno.EIO, e.errno());
    filter.throwIn = "";
    assertEquals(2, kq.checkInvariants());
    assertEquals(Errno.ENOENT, deleteErrno(1, f), "dropped all the same");
    assertEquals(0, deleteErrno(2, EVFILT_USER));
    assertEquals(0, deleteErrno(3, f));
  }

  @Test
  void a_failed_touch_keeps_its_knote_and_ends_the_call_before_the_next_change()
      throws Exception {
    kq.kevent(new KEvent[] {add(1, f), add(2, EVFILT_USER)}, null, Duration.ZERO);
    filter.throwIn = "touch";
    KQueueException e = assertThrows(KQueueException.class, () -> kq.kevent(new KEvent[] {
        KEvent.of(2, EVFILT_USER, EV_ADD | EV_DISABLE, 0, 0, null), add(1, f), add(3, f)}, null,
        Duration.ZERO));
    assertEquals(Errno.EIO, e.errno());
    filter.throwIn = "";
    assertEquals(2, kq.checkInvariants());
    assertEquals(0, deleteErrno(1, f));
    assertEquals(Errno.ENOENT, deleteErrno(3, f));
    kq.kevent(new KEvent[] {KEvent.of(2, EVFILT_USER, 0, NOTE_TRIGGER, 0, null)}, null,
        Duration.ZERO);
    assertEquals(0, poll().length, "the EV_DISABLE before the failure applied");
  }

  @Test
  void changes_on_one_knote_apply_in_order_and_a_missing_one_is_reported_in_place()
      throws Exception {
    KEvent[] out = new KEvent[4];
    int n = kq.kevent(new KEvent[] {add(1, EVFILT_USER), add(2, EVFILT_USER),
        delete(1, EVFILT_USER), delete(9, EVFILT_USER), add(4, EVFILT_USER),
        KEvent.of(2, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0, null), add(1, f), delete(1, f),
        KEvent.of(1, EVFILT_USER, EV_ADD | EV_CLEAR, NOTE_TRIGGER, 0, null)}, out, Duration.ZERO);
    assertEquals(1, n);
    assertEquals(KEvent.of(9, EVFILT_USER, EV_ERROR, 0, Errno.ENOENT, null), out[0]);
    assertEquals(3, kq.checkInvariants());
    KEvent[] events = poll();
    assertEquals(2, events.length, Arrays.toString(events));
    assertEquals(2, events[0].ident(), "queued in the order of the changes");
    assertEquals(1, events[1].ident());
    assertEquals(Errno.ENOENT, deleteErrno(1, f));
  }

  @Test
  void thousands_of_adds_and_deletes_leave_exactly_the_triggered_enabled_events()
      throws Exception {
    int knotes = 5_000;
    KEventBuffer changes = new KEventBuffer(knotes);
    for (int i = 0; i < knotes; i++) {
      int flags = EV_ADD | EV_CLEAR | (i % 3 == 0 ? EV_DISABLE : 0);
      changes.add(i, i % 7 == 0 ? f : EVFILT_USER, flags, i % 2 == 0 ? NOTE_TRIGGER : 0, 0, null);
    }
    kq.kevent(changes, null, 0);
    assertEquals(knotes, kq.checkInvariants());
    long expected = java.util.stream.IntStream.range(0, knotes)
        .filter(i -> i % 7 != 0 && i % 3 != 0 && i % 2 == 0).count();
    assertEquals(expected, poll().length);
    changes.clear();
    for (int i = 0; i < knotes; i++) {
      changes.add(i, i % 7 == 0 ? f : EVFILT_USER, EV_DELETE, 0, 0, null);
    }
    kq.kevent(changes, null, 0);
    assertEquals(0, kq.checkInvariants());
  }

  @Test
  void a_close_during_a_long_changelist_fails_the_call_with_ebadf() throws Exception {
    CompletableFuture<Void> firstClose = new CompletableFuture<>();
    FilterOps closing = new FilterOps() {
      @Override
      public void attach(KNote kn) {
        if (kn.ident() != 0) {
          return;
        }
        CompletableFuture.runAsync(kq::close).whenComplete((v, t) -> firstClose.complete(null));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) { // until close() has begun: it waits for this knote
          try {
            kq.kevent(null, null, Duration.ZERO);
          } catch (KQueueException e) {
            return;
          }
          Thread.onSpinWait();
        }
      }

      @Override
      public void detach(KNote kn) {}

      @Override
      public boolean event(KNote kn, long hint) {
        return false;
      }
    };
    try (FilterSlot closingSlot = FilterSlot.install(closing)) {
      KEventBuffer changes = new KEventBuffer(1_000);
      for (int i = 0; i < 1_000; i++) {
        changes.add(i, closingSlot.filter, EV_ADD, 0, 0, null);
      }
      KQueueException e = assertThrows(KQueueException.class, () -> kq.kevent(changes, null, 0));
      assertEquals(Errno.EBADF, e.errno());
      // close() is idempotent: a second one returns at once, so wait for the first to finish
      // detaching before the filter is removed (which fails with EBUSY while knotes hold it)
      firstClose.get(10, TimeUnit.SECONDS);
      assertEquals(0, kq.checkInvariants());
    }
  }

  @Test
  void built_in_filters_cannot_be_removed() {
    assertEquals(Errno.EBUSY,
        assertThrows(KQueueException.class, () -> Filters.remove(EVFILT_USER)).errno());
  }
}
