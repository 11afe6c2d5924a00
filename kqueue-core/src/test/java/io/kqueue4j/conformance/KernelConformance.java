package io.kqueue4j.conformance;

import static io.kqueue4j.KEvent.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The flag interplay and error rules of kqueue(2) (modern FreeBSD), on {@code EVFILT_USER} knotes,
 * which every backend has.
 */
public abstract class KernelConformance extends KQueueTestSupport {

  private void trigger(long ident) throws KQueueException {
    add(ident, EVFILT_USER, 0, NOTE_TRIGGER, 0, null);
  }

  @Test
  void unknown_filter_is_einval() throws Exception {
    KEvent err = change(1, (short) -99, EV_ADD, 0, 0, null);
    assertEquals(EV_ERROR, err.flags());
    assertEquals(Errno.EINVAL, err.data());
    assertEquals(Errno.EINVAL, change(1, (short) 3, EV_ADD, 0, 0, null).data());
  }

  @Test
  void filter_zero_is_skipped() throws Exception {
    KEvent[] out = new KEvent[1];
    assertEquals(0, kq.kevent(new KEvent[] {KEvent.of(1, (short) 0, EV_ADD, 0, 0, null)}, out,
        Duration.ZERO));
  }

  @Test
  void error_without_room_throws_with_errno_and_name() {
    KQueueException e = assertThrows(KQueueException.class,
        () -> kq.kevent(new KEvent[] {KEvent.of(9, EVFILT_USER, EV_DELETE, 0, 0, null)}, null,
            Duration.ZERO));
    assertEquals(Errno.ENOENT, e.errno());
    assertTrue(e.getMessage().contains("ENOENT"), e.getMessage());
  }

  @Test
  void errors_fill_the_eventlist_and_later_changes_still_apply() throws Exception {
    KEvent[] changes = {
      KEvent.of(1, EVFILT_USER, EV_DELETE, 0, 0, "a"),
      KEvent.of(2, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, null),
      KEvent.of(3, EVFILT_USER, EV_ENABLE, 0, 0, "c"),
    };
    KEvent[] out = new KEvent[4];
    assertEquals(2, kq.kevent(changes, out, Duration.ZERO));
    assertEquals(KEvent.of(1, EVFILT_USER, EV_ERROR, 0, Errno.ENOENT, "a").ident(), out[0].ident());
    assertEquals(Errno.ENOENT, out[0].data());
    assertEquals(3, out[1].ident());
    trigger(2);
    assertEquals(1, poll().length, "the change between the errors was applied");
  }

  @Test
  void errors_suppress_the_scan() throws Exception {
    add(1, EVFILT_USER, EV_ADD | EV_CLEAR, NOTE_TRIGGER, 0, null);
    KEvent[] out = new KEvent[4];
    int n = kq.kevent(new KEvent[] {KEvent.of(7, EVFILT_USER, EV_DELETE, 0, 0, null)}, out,
        Duration.ZERO);
    assertEquals(1, n);
    assertEquals(EV_ERROR, out[0].flags());
    assertEquals(1, poll().length, "the pending event is still there");
  }

  @Test
  void receipt_reports_every_change() throws Exception {
    KEvent[] changes = {
      KEvent.of(1, EVFILT_USER, EV_ADD | EV_RECEIPT, 0, 0, null),
      KEvent.of(2, EVFILT_USER, EV_DELETE | EV_RECEIPT, 0, 0, null),
    };
    KEvent[] out = new KEvent[2];
    assertEquals(2, kq.kevent(changes, out, Duration.ZERO));
    assertEquals(KEvent.of(1, EVFILT_USER, EV_ERROR, 0, 0, null), out[0]);
    assertEquals(Errno.ENOENT, out[1].data());
  }

  @Test
  void more_errors_than_room_throws_on_the_first_without_room() throws Exception {
    KEvent[] changes = {
      KEvent.of(1, EVFILT_USER, EV_DELETE, 0, 0, null),
      KEvent.of(2, EVFILT_USER, EV_ADD, 0, 0, null),
      KEvent.of(3, (short) -99, EV_ADD, 0, 0, null),
    };
    KEvent[] out = new KEvent[1];
    KQueueException e = assertThrows(KQueueException.class,
        () -> kq.kevent(changes, out, Duration.ZERO));
    assertEquals(Errno.EINVAL, e.errno());
    assertEquals(Errno.ENOENT, out[0].data());
    add(2, EVFILT_USER, EV_DELETE, 0, 0, null); // the middle change was applied
  }

  @Test
  void enable_and_disable_together_is_einval() throws Exception {
    add(1, EVFILT_USER, EV_ADD, 0, 0, null);
    assertEquals(Errno.EINVAL, change(1, EVFILT_USER, EV_ENABLE | EV_DISABLE, 0, 0, null).data());
  }

  @Test
  void delete_discards_a_pending_event() throws Exception {
    add(1, EVFILT_USER, EV_ADD | EV_CLEAR, NOTE_TRIGGER, 0, null);
    add(1, EVFILT_USER, EV_DELETE, 0, 0, null);
    assertNoEvents();
  }

  @Test
  void add_with_delete_deletes_an_existing_knote_and_creates_a_missing_one() throws Exception {
    add(1, EVFILT_USER, EV_ADD | EV_DELETE, 0, 0, null);
    add(1, EVFILT_USER, EV_ADD | EV_DELETE, 0, 0, null);
    assertEquals(Errno.ENOENT, change(1, EVFILT_USER, EV_ENABLE, 0, 0, null).data());
  }

  @Test
  void readd_does_not_enable() throws Exception {
    add(1, EVFILT_USER, EV_ADD | EV_CLEAR | EV_DISABLE, 0, 0, null);
    add(1, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0, null);
    assertNoEvents();
    add(1, EVFILT_USER, EV_ENABLE, 0, 0, null);
    assertEquals(1, poll().length);
  }

  @Test
  void disable_hides_a_queued_event_and_enable_brings_it_back() throws Exception {
    add(1, EVFILT_USER, EV_ADD | EV_CLEAR, NOTE_TRIGGER, 0, null);
    add(1, EVFILT_USER, EV_DISABLE, 0, 0, null);
    assertNoEvents();
    add(1, EVFILT_USER, EV_ENABLE, 0, 0, null);
    assertEquals(1, poll().length);
  }

  @Test
  void forceoneshot_fires_once_and_removes() throws Exception {
    add(1, EVFILT_USER, EV_ADD, 0, 0, null);
    add(1, EVFILT_USER, EV_FORCEONESHOT, 0, 0, null);
    KEvent ev = get();
    assertEquals(EV_ONESHOT, ev.flags() & EV_ONESHOT);
    assertEquals(Errno.ENOENT, change(1, EVFILT_USER, EV_DELETE, 0, 0, null).data());
  }

  @Test
  void keepudata_keeps_the_stored_udata() throws Exception {
    add(1, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, "first");
    add(1, EVFILT_USER, EV_KEEPUDATA, NOTE_TRIGGER, 0, "second");
    assertEquals("first", get().udata());
    add(1, EVFILT_USER, 0, NOTE_TRIGGER, 0, "third");
    assertEquals("third", get().udata(), "any other change replaces udata");
  }

  @Test
  void action_flags_are_stripped_from_events() throws Exception {
    add(1, EVFILT_USER, EV_ADD | EV_ENABLE | EV_CLEAR | EV_RECEIPT, NOTE_TRIGGER, 0, null);
    KEvent ev = poll()[0];
    assertEquals(0, ev.flags() & (EV_ADD | EV_ENABLE | EV_DELETE | EV_DISABLE));
    assertEquals(EV_CLEAR | EV_RECEIPT, ev.flags(), "EV_RECEIPT is kept as FreeBSD keeps it");
  }

  @Test
  void system_flags_in_a_change_are_ignored() throws Exception {
    add(1, EVFILT_USER, EV_ADD | EV_CLEAR | EV_EOF | EV_ERROR, NOTE_TRIGGER, 0, null);
    assertEquals(EV_CLEAR, poll()[0].flags());
  }

  @Test
  void nevents_smaller_than_the_ready_set() throws Exception {
    for (int i = 0; i < 10; i++) {
      add(i, EVFILT_USER, EV_ADD | EV_CLEAR, NOTE_TRIGGER, 0, null);
    }
    Set<Long> seen = new HashSet<>();
    for (int round = 0; round < 4; round++) {
      KEvent[] out = new KEvent[3];
      int n = kq.kevent(null, out, Duration.ZERO);
      assertEquals(round < 3 ? 3 : 1, n);
      for (int i = 0; i < n; i++) {
        assertTrue(seen.add(out[i].ident()), "no event twice");
      }
    }
    assertEquals(10, seen.size());
    assertNoEvents();
  }

  @Test
  void fifo_in_activation_order() throws Exception {
    for (int i = 0; i < 5; i++) {
      add(i, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, null);
    }
    for (int i : new int[] {3, 1, 4, 0, 2}) {
      trigger(i);
    }
    KEvent[] events = poll();
    long[] order = new long[events.length];
    for (int i = 0; i < events.length; i++) {
      order[i] = events[i].ident();
    }
    assertEquals("[3, 1, 4, 0, 2]", java.util.Arrays.toString(order));
  }

  @Test
  void level_triggered_knote_once_per_call() throws Exception {
    add(1, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0, null);
    add(2, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0, null);
    KEvent[] out = new KEvent[10];
    assertEquals(2, kq.kevent(null, out, Duration.ZERO), "each knote at most once per call");
  }

  @Test
  void aliasing_changelist_and_eventlist() throws Exception {
    KEvent[] list = {
      KEvent.of(1, EVFILT_USER, EV_ADD | EV_RECEIPT, 0, 0, null),
      KEvent.of(2, EVFILT_USER, EV_DELETE, 0, 0, null),
    };
    assertEquals(2, kq.kevent(list, list, Duration.ZERO));
    assertEquals(0, list[0].data());
    assertEquals(Errno.ENOENT, list[1].data());
  }

  @Test
  void bad_counts_and_timeouts_are_einval() {
    KEvent[] one = new KEvent[1];
    assertEquals(Errno.EINVAL, assertThrows(KQueueException.class,
        () -> kq.kevent(one, 2, one, 1, Duration.ZERO)).errno());
    assertEquals(Errno.EINVAL, assertThrows(KQueueException.class,
        () -> kq.kevent(one, 0, one, -1, Duration.ZERO)).errno());
    assertEquals(Errno.EINVAL, assertThrows(KQueueException.class,
        () -> kq.kevent(null, one, Duration.ofMillis(-1))).errno());
    assertEquals(Errno.EINVAL, assertThrows(KQueueException.class,
        () -> kq.kevent(null, one, Duration.ofSeconds(1L << 40))).errno());
  }

  @Test
  void timeout_expires_with_zero_events() throws Exception {
    long start = System.nanoTime();
    assertEquals(0, kq.kevent(null, new KEvent[1], Duration.ofMillis(50)));
    assertTrue(System.nanoTime() - start >= 45_000_000L, "waited about the timeout");
  }

  @Test
  void zero_nevents_returns_at_once_even_without_timeout() throws Exception {
    assertEquals(0, kq.kevent(null, new KEvent[0], null));
  }

  @Test
  void buffer_form_round_trip() throws Exception {
    KEventBuffer changes = new KEventBuffer(2);
    KEventBuffer events = new KEventBuffer(4);
    changes.add(1, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, "u");
    changes.add(1, EVFILT_USER, 0, NOTE_TRIGGER | NOTE_FFCOPY | 5, 9, "u");
    assertEquals(1, kq.kevent(changes, events, 0));
    assertEquals(1, events.size());
    assertEquals(KEvent.of(1, EVFILT_USER, EV_CLEAR, 5, 9, "u"), events.get(0));
    changes.clear();
    assertEquals(0, kq.kevent(changes, events, 0));
    assertEquals(0, events.size());
  }

  @Test
  void closed_queue_fails_with_ebadf_and_close_is_idempotent() throws Exception {
    add(1, EVFILT_USER, EV_ADD, 0, 0, null);
    kq.close();
    kq.close();
    assertEquals(Errno.EBADF, assertThrows(KQueueException.class, this::poll).errno());
  }

  @Test
  void close_wakes_a_waiter_with_ebadf() throws Exception {
    KQueue queue = newQueue();
    java.util.concurrent.CompletableFuture<Throwable> waiter =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          try {
            queue.kevent(null, new KEvent[1], null);
            return null;
          } catch (Throwable t) {
            return t;
          }
        });
    org.awaitility.Awaitility.await().pollDelay(Duration.ofMillis(50)).until(() -> true);
    queue.close();
    Throwable t = waiter.get(5, java.util.concurrent.TimeUnit.SECONDS);
    assertTrue(t instanceof KQueueException, String.valueOf(t));
    assertEquals(Errno.EBADF, ((KQueueException) t).errno());
  }

  @Test
  void interrupt_ends_a_wait_and_keeps_the_status() throws Exception {
    Thread.currentThread().interrupt();
    try {
      assertEquals(0, kq.kevent(null, new KEvent[1], null));
      assertTrue(Thread.currentThread().isInterrupted());
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void cross_thread_trigger_wakes_a_waiter() throws Exception {
    add(1, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, null);
    java.util.concurrent.CompletableFuture<KEvent> waiter =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          try {
            KEvent[] out = new KEvent[1];
            return kq.kevent(null, out, Duration.ofSeconds(10)) == 1 ? out[0] : null;
          } catch (KQueueException e) {
            throw new IllegalStateException(e);
          }
        });
    trigger(1);
    assertEquals(1, waiter.get(10, java.util.concurrent.TimeUnit.SECONDS).ident());
  }

  @Test
  void kqueue_in_kqueue_is_readable_with_the_pending_count() throws Exception {
    try (KQueue inner = newQueue()) {
      add(inner.fd(), EVFILT_READ, EV_ADD, 0, 0, "inner");
      assertNoEvents();
      inner.kevent(new KEvent[] {
        KEvent.of(1, EVFILT_USER, EV_ADD | EV_CLEAR, NOTE_TRIGGER, 0, null),
        KEvent.of(2, EVFILT_USER, EV_ADD | EV_CLEAR, NOTE_TRIGGER, 0, null)}, null, Duration.ZERO);
      KEvent ev = get();
      assertEquals(inner.fd(), ev.ident());
      assertEquals(2, ev.data());
      assertEquals(2, poll(inner).length);
      assertNoEvents();
    }
  }

  @Test
  void kqueue_cannot_watch_itself_or_close_a_cycle() throws Exception {
    assertEquals(Errno.EINVAL, change(kq.fd(), EVFILT_READ, EV_ADD, 0, 0, null).data());
    try (KQueue other = newQueue()) {
      add(other.fd(), EVFILT_READ, EV_ADD, 0, 0, null);
      KEvent[] out = new KEvent[1];
      other.kevent(new KEvent[] {KEvent.of(kq.fd(), EVFILT_READ, EV_ADD, 0, 0, null)}, out,
          Duration.ZERO);
      assertEquals(Errno.EINVAL, out[0].data(), "a cycle is refused");
    }
  }

  @Test
  void many_nested_kqueues_are_found_and_removed() throws Exception {
    KQueue[] inner = new KQueue[20];
    for (int i = 0; i < inner.length; i++) {
      inner[i] = newQueue();
      add(inner[i].fd(), EVFILT_READ, EV_ADD, 0, 0, i);
    }
    inner[7].kevent(new KEvent[] {KEvent.of(1, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0, null)}, null,
        Duration.ZERO);
    assertEquals(7, get().udata());
    for (KQueue q : inner) {
      add(q.fd(), EVFILT_READ, EV_DELETE, 0, 0, null);
      q.close();
    }
    assertNoEvents();
  }

  @Test
  void write_filter_on_a_kqueue_is_einval() throws Exception {
    try (KQueue other = newQueue()) {
      assertEquals(Errno.EINVAL, change(other.fd(), EVFILT_WRITE, EV_ADD, 0, 0, null).data());
    }
  }

  @Test
  void closing_a_watched_kqueue_reports_eof() throws Exception {
    KQueue inner = newQueue();
    add(inner.fd(), EVFILT_READ, EV_ADD, 0, 0, null);
    inner.close();
    KEvent ev = get();
    assertEquals(EV_EOF, ev.flags() & EV_EOF);
  }
}
