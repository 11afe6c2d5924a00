package io.kqueue4j.kernel;

import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.kernel.KNoteState.ACTIVE;
import static io.kqueue4j.kernel.KNoteState.INFLUX;
import static io.kqueue4j.kernel.KNoteState.MARKER;
import static io.kqueue4j.kernel.KNoteState.QUEUED;
import static io.kqueue4j.kernel.KNoteState.REACTIVATED;
import static io.kqueue4j.kernel.KNoteState.SCAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.KEvent;
import io.kqueue4j.KQueueException;
import io.kqueue4j.testing.FilterSlot;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link EmulatedKQueue#checkInvariants()} finds a corrupted kernel state: the stress, fuzz and
 * model tests that call it after their runs rely on it failing when the queue, the count or a
 * knote's status bits disagree. Each case checks a sound queue, corrupts one thing through the
 * package's fields, expects the check to fail naming it, undoes the corruption and expects the
 * check to pass again, so the failure came from that corruption alone.
 */
class InvariantCheckTest {

  /** Knotes are pending while added with data 1; records every knote it attaches, by ident. */
  private static final class RecordingFilter extends PendingFilter {
    @Override
    public boolean event(KNote kn, long hint) {
      return kn.sdata() == 1;
    }
  }

  private final RecordingFilter filter = new RecordingFilter();
  private FilterSlot slot;
  private EmulatedKQueue kq;
  /** Knote 1 is pending (queued), knote 2 pending, knote 3 idle. */
  private KNote first;
  private KNote second;
  private KNote idle;

  @BeforeEach
  void threeKnotes() throws KQueueException {
    slot = FilterSlot.install(filter);
    kq = EmulatedKQueue.open();
    kq.kevent(new KEvent[] {
      KEvent.of(1, slot.filter, EV_ADD | EV_CLEAR, 0, 1, null),
      KEvent.of(2, slot.filter, EV_ADD | EV_CLEAR, 0, 1, null),
      KEvent.of(3, slot.filter, EV_ADD | EV_CLEAR, 0, 0, null)}, null, Duration.ZERO);
    first = filter.knotes.get(1L);
    second = filter.knotes.get(2L);
    idle = filter.knotes.get(3L);
    assertEquals(3, kq.checkInvariants(), "the sound state passes");
    assertEquals(2, kq.pendingCount());
  }

  @AfterEach
  void close() throws KQueueException {
    kq.close();
    slot.close();
  }

  /** Changes the status bits of {@code kn} under the kqueue's lock. */
  private void setStatus(KNote kn, int set, int clear) {
    kq.lock();
    try {
      kn.status = (kn.status | set) & ~clear;
    } finally {
      kq.unlock();
    }
  }

  /** The check fails with a message containing {@code expected}; after {@code undo} it passes. */
  private void assertDetected(String expected, Runnable undo) {
    try {
      IllegalStateException e = assertThrows(IllegalStateException.class, kq::checkInvariants);
      assertTrue(e.getMessage().contains(expected), "expected \"" + expected + "\", got: " + e);
    } finally {
      undo.run(); // also when the check missed it: close() would wait for a knote left in flux
    }
    assertEquals(3, kq.checkInvariants(), "passes once the corruption is undone");
  }

  @Test
  void a_knote_marked_queued_but_not_on_the_queue() {
    setStatus(idle, QUEUED | ACTIVE, 0);
    assertDetected("marked QUEUED", () -> setStatus(idle, 0, QUEUED | ACTIVE));
  }

  @Test
  void a_knote_on_the_queue_not_marked_queued() {
    setStatus(second, 0, QUEUED);
    assertDetected("queued knote not QUEUED|ACTIVE", () -> setStatus(second, QUEUED, 0));
  }

  @Test
  void a_count_off_by_one() {
    // The queue loses the second knote while kq_count still counts it.
    kq.lock();
    kq.queue.unlink(second);
    kq.unlock();
    assertDetected("kq_count 2 but 1 queued", () -> {
      kq.lock();
      kq.queue.insertTail(second);
      kq.queue.uncount(); // insertTail counted it again
      kq.unlock();
    });
  }

  @Test
  void an_active_enabled_knote_not_queued() {
    setStatus(idle, ACTIVE, 0);
    assertDetected("active enabled knote not queued", () -> setStatus(idle, 0, ACTIVE));
  }

  @Test
  void a_marker_left_on_the_queue() {
    setStatus(first, MARKER, 0);
    assertDetected("marker left on the queue", () -> setStatus(first, 0, MARKER));
  }

  @Test
  void a_knote_left_in_flux_or_scan_or_reactivated() {
    for (int bit : new int[] {INFLUX, SCAN, REACTIVATED}) {
      setStatus(idle, bit, 0);
      assertDetected("transient state", () -> setStatus(idle, 0, bit));
    }
  }
}
