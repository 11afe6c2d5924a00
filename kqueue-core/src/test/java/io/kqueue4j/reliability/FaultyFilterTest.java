package io.kqueue4j.reliability;

import static io.kqueue4j.KEvent.EVFILT_USER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.EV_ERROR;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static io.kqueue4j.KEvent.EV_RECEIPT;
import static io.kqueue4j.KEvent.NOTE_TRIGGER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.EmulatedKQueue;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.KNote;
import io.kqueue4j.kernel.KNoteList;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A filter whose {@code attach}, {@code touch}, {@code event}, {@code process} or {@code detach}
 * throws: the kqueue survives (no knote left in flux, invariants hold, the filter's references are
 * released, a {@code EVFILT_USER} round trip still works, {@code close()} completes) and the failure
 * is reported as {@code docs/semantics.md} item 9 says: {@code EIO} on the change for attach and
 * touch, one {@code EV_ERROR}/{@code EIO} event for event and process.
 */
class FaultyFilterTest extends ThrowingFilterFixture {

  /** One change with room for its error entry (and a receipt); returns the entry. */
  private KEvent change(long ident, short filt, int flags, int fflags) throws KQueueException {
    KEvent[] out = new KEvent[1];
    int n = kq.kevent(new KEvent[] {KEvent.of(ident, filt, flags | EV_RECEIPT, fflags, 0, "u")},
        out, Duration.ZERO);
    assertEquals(1, n);
    return out[0];
  }

  private KEvent[] poll() throws KQueueException {
    KEvent[] out = new KEvent[16];
    return Arrays.copyOf(out, kq.kevent(null, out, Duration.ZERO));
  }

  /** The queue is consistent and still works: invariants, a user round trip, nothing in flux. */
  private void assertSurvives() throws Exception {
    kq.checkInvariants();
    CompletableFuture<KEvent[]> roundTrip = CompletableFuture.supplyAsync(() -> {
      try {
        kq.kevent(new KEvent[] {
          KEvent.of(4242, EVFILT_USER, EV_ADD | EV_CLEAR | EV_ONESHOT, NOTE_TRIGGER, 0, null)},
            null, Duration.ZERO);
        KEvent[] out = new KEvent[64];
        return Arrays.copyOf(out, kq.kevent(null, out, Duration.ofSeconds(5)));
      } catch (KQueueException e) {
        throw new IllegalStateException(e);
      }
    });
    try {
      KEvent[] events = roundTrip.get(10, TimeUnit.SECONDS);
      assertTrue(Arrays.stream(events).anyMatch(e -> e.ident() == 4242),
          "round trip: " + Arrays.toString(events));
    } catch (TimeoutException e) {
      fail("the queue hangs after the fault");
    }
    kq.checkInvariants();
  }

  @Test
  void attach_throwing_fails_the_change_with_eio_and_fflags_zero() throws Exception {
    filter.throwIn = "attach";
    KEvent err = change(1, f, EV_ADD, 0x77);
    assertEquals(KEvent.of(1, f, EV_ERROR, 0, Errno.EIO, "u"), err);
    filter.throwIn = "";
    assertEquals(Errno.ENOENT, change(1, f, EV_DELETE, 0).data(), "no knote was left behind");
    assertSurvives();
  }

  @Test
  void touch_throwing_fails_the_change_with_eio_and_keeps_the_knote() throws Exception {
    assertEquals(0, change(1, f, EV_ADD | EV_CLEAR, 0).data());
    filter.throwIn = "touch";
    assertEquals(Errno.EIO, change(1, f, 0, 0).data());
    filter.throwIn = "";
    filter.source.post(1);
    KEvent[] events = poll();
    assertEquals(1, events.length, "the knote still works: " + Arrays.toString(events));
    assertEquals(1, events[0].data());
    assertEquals(0, change(1, f, EV_DELETE, 0).data());
    assertSurvives();
  }

  @Test
  void process_throwing_delivers_one_eio_error_event_then_recovers() throws Exception {
    assertEquals(0, change(1, f, EV_ADD, 0).data()); // level-triggered
    filter.source.post(1);
    filter.throwIn = "process";
    KEvent[] events = poll();
    assertEquals(1, events.length);
    assertEquals(EV_ERROR, events[0].flags() & EV_ERROR);
    assertEquals(Errno.EIO, events[0].data());
    assertEquals(0, poll().length, "deactivated after the error event");
    filter.throwIn = "";
    filter.source.post(1);
    events = poll();
    assertEquals(1, events.length);
    assertEquals(0, events[0].flags() & EV_ERROR, "a working filter's events carry no EV_ERROR");
    assertEquals(2, events[0].data());
    assertSurvives();
  }

  @Test
  void event_throwing_at_registration_reports_once_and_does_not_poison_the_knote()
      throws Exception {
    filter.throwIn = "event";
    KEvent receipt = change(1, f, EV_ADD, 0);
    filter.throwIn = "";
    KEvent[] events = poll();
    assertTrue(receipt.data() == Errno.EIO
        || events.length == 1 && (events[0].flags() & EV_ERROR) != 0
            && events[0].data() == Errno.EIO,
        "the failure is reported: receipt " + receipt + ", events " + Arrays.toString(events));
    // The filter works again: its events are plain events with its own data.
    filter.source.post(1);
    events = poll();
    assertEquals(1, events.length, Arrays.toString(events));
    assertEquals(0, events[0].flags() & EV_ERROR, "EV_ERROR stuck to the knote: " + events[0]);
    assertSurvives();
  }

  @Test
  void event_throwing_in_a_post_spares_the_other_knotes_and_the_source_thread()
      throws Exception {
    EmulatedKQueue other = EmulatedKQueue.open();
    try {
      // Two knotes on one source, in two kqueues; the failing one (ident 1) is added last, so it
      // is first on the list. The filter fails for ident 1 only.
      other.kevent(new KEvent[] {KEvent.of(2, f, EV_ADD | EV_CLEAR, 0, 0, null)}, null,
          Duration.ZERO);
      assertEquals(0, change(1, f, EV_ADD | EV_CLEAR, 0).data());
      filter.throwFor = 1;
      filter.throwIn = "event";
      Throwable escaped = null;
      try {
        filter.source.post(1);
      } catch (RuntimeException e) {
        escaped = e;
      }
      assertEquals(null, escaped, "a filter's exception escaped into the source thread");
      KEvent[] out = new KEvent[4];
      assertEquals(1, other.kevent(null, out, Duration.ZERO),
          "the healthy knote in the other kqueue got the post");
      KEvent[] events = poll(); // the filter still fails when the scan re-checks
      assertEquals(1, events.length, "the failing knote reports: " + Arrays.toString(events));
      assertEquals(EV_ERROR, events[0].flags() & EV_ERROR);
      assertEquals(Errno.EIO, events[0].data());
      filter.throwIn = "";
      filter.source.post(1);
      events = poll();
      assertEquals(1, events.length, "recovered: " + Arrays.toString(events));
      assertEquals(0, events[0].flags() & EV_ERROR);
      assertSurvives();
    } finally {
      other.close();
    }
  }

  @Test
  void detach_throwing_on_delete_still_deletes() throws Exception {
    assertEquals(0, change(1, f, EV_ADD, 0).data());
    filter.throwIn = "detach";
    Object outcome;
    try {
      outcome = change(1, f, EV_DELETE, 0);
    } catch (KQueueException | RuntimeException e) {
      outcome = e;
    }
    filter.throwIn = "";
    assertTrue(outcome instanceof KEvent ev && (ev.data() == 0 || ev.data() == Errno.EIO),
        "EV_DELETE reports success or EIO, nothing escapes: " + outcome);
    assertEquals(Errno.ENOENT, change(1, f, EV_DELETE, 0).data(), "the knote is gone");
    assertSurvives();
  }

  @Test
  void detach_throwing_after_a_oneshot_delivery_loses_nothing() throws Exception {
    for (int i = 1; i <= 3; i++) {
      assertEquals(0, change(i, f, EV_ADD | EV_ONESHOT, 0).data());
    }
    filter.source.post(1);
    filter.throwIn = "detach";
    filter.throwFor = 2;
    Object outcome;
    try {
      outcome = poll();
    } catch (KQueueException | RuntimeException e) {
      outcome = e;
    }
    filter.throwIn = "";
    assertTrue(outcome instanceof KEvent[] events && events.length == 3,
        "the three oneshot events are delivered: " + (outcome instanceof KEvent[] e
            ? Arrays.toString(e) : outcome));
    assertSurvives();
  }

  @Test
  void detach_throwing_does_not_stop_close() throws Exception {
    List<Long> idents = new ArrayList<>();
    for (long i = 1; i <= 3; i++) {
      assertEquals(0, change(i, f, EV_ADD, 0).data());
      idents.add(i);
    }
    filter.throwIn = "detach";
    filter.throwFor = 2;
    try {
      kq.close();
    } catch (RuntimeException e) {
      fail("close() threw " + e);
    }
    filter.throwIn = "";
    assertTrue(filter.source.isEmpty(), "every knote was detached");
  }

  /**
   * An Error (here an AssertionError) from attach, touch, event or process reaches the caller and
   * leaves no knote in flux and no marker on the queue.
   */
  @Test
  void an_error_from_a_filter_reaches_the_caller_and_leaves_nothing_in_flux() throws Exception {
    filter.throwError = true;
    for (String method : new String[] {"attach", "touch"}) {
      if (method.equals("touch")) {
        assertEquals(0, change(1, f, EV_ADD, 0).data());
      }
      filter.throwIn = method;
      Throwable thrown = null;
      try {
        change(1, f, method.equals("attach") ? EV_ADD : 0, 0);
      } catch (Throwable e) {
        thrown = e;
      }
      filter.throwIn = "";
      assertTrue(thrown instanceof AssertionError && !(thrown instanceof org.opentest4j
          .AssertionFailedError), method + ": the Error reaches the caller: " + thrown);
      CompletableFuture<KEvent> next = CompletableFuture.supplyAsync(() -> {
        try {
          return change(1, f, EV_DELETE, 0);
        } catch (KQueueException e) {
          throw new IllegalStateException(e);
        }
      });
      try {
        next.get(5, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        fail(method + ": the knote was left in flux; the next change on it hangs");
      }
      kq.checkInvariants();
    }
    // An Error from event at registration, then from process in a scan.
    filter.throwIn = "event";
    Throwable thrown = null;
    try {
      change(3, f, EV_ADD, 0);
    } catch (Throwable e) {
      thrown = e;
    }
    filter.throwIn = "";
    assertTrue(thrown instanceof AssertionError, "event: the Error reaches the caller: " + thrown);
    kq.checkInvariants();
    filter.source.post(1);
    filter.throwIn = "process";
    thrown = null;
    try {
      poll();
    } catch (Throwable e) {
      thrown = e;
    }
    filter.throwIn = "";
    assertTrue(thrown instanceof AssertionError, "process: the Error reaches the caller: " + thrown);
    kq.checkInvariants(); // no marker left on the queue, no knote in flux
    filter.throwError = false;
    assertSurvives();
  }

}
