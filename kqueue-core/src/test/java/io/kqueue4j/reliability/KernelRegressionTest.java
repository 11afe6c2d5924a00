package io.kqueue4j.reliability;

import static io.kqueue4j.KEvent.EVFILT_USER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static io.kqueue4j.KEvent.EV_RECEIPT;
import static io.kqueue4j.KEvent.NOTE_TRIGGER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import io.kqueue4j.Errno;
import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.EmulatedKQueue;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.KNote;
import io.kqueue4j.kernel.KNoteList;
import io.kqueue4j.testing.FilterSlot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Minimal reproductions of kernel bugs the reliability suites found, one test per bug. */
class KernelRegressionTest {

  /**
   * Two scanners and oneshot knotes: a scan that delivers a oneshot knote drops it with the lock
   * released while its marker is at the head of the queue; a second scanner that looks then waits
   * for flux, and the first one used to unlink its marker without waking it (FreeBSD wakes flux
   * waiters at the marker and on leaving the scan). The second scanner then slept forever, and
   * every later scanner behind it.
   */
  @Test
  void a_scan_leaving_its_marker_wakes_scanners_waiting_behind_it() throws Exception {
    EmulatedKQueue kq = EmulatedKQueue.open();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong delivered = new AtomicLong();
    List<Thread> scanners = new ArrayList<>();
    for (int s = 0; s < 4; s++) {
      Thread t = new Thread(() -> {
        KEvent[] out = new KEvent[1];
        while (!stop.get()) {
          try {
            delivered.addAndGet(kq.kevent(null, out, Duration.ZERO));
          } catch (KQueueException e) {
            return; // closed
          }
        }
      }, "scanner-" + s);
      t.setDaemon(true);
      scanners.add(t);
      t.start();
    }
    try {
      // Rounds of oneshot knotes drained by the scanners alone: without registrations going on,
      // nothing else wakes a scanner that missed its wakeup.
      KEvent[] batch = new KEvent[32];
      long expected = 0;
      long end = System.nanoTime() + 3_000_000_000L;
      for (int round = 0; System.nanoTime() < end; round++) {
        for (int i = 0; i < batch.length; i++) {
          batch[i] = KEvent.of(i, EVFILT_USER, EV_ADD | EV_ONESHOT, NOTE_TRIGGER, 0, null);
        }
        kq.kevent(batch, null, Duration.ZERO);
        expected += batch.length;
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (delivered.get() < expected) {
          if (System.nanoTime() > deadline) {
            fail("round " + round + ": scanners stalled with " + (expected - delivered.get())
                + " oneshot events pending: " + states(scanners));
          }
          Thread.onSpinWait();
        }
      }
    } finally {
      stop.set(true);
      kq.close(); // wakes any stalled scanner
      for (Thread t : scanners) {
        t.join(5_000);
      }
    }
    for (Thread t : scanners) {
      assertEquals(false, t.isAlive(), t.getName() + " still running");
    }
  }

  /**
   * {@code close(2)} of a negative descriptor while some kqueue holds descriptor knotes used to
   * index that kqueue's descriptor table at the negative number and throw {@code
   * ArrayIndexOutOfBoundsException} instead of failing with {@code EBADF}.
   */
  @Test
  void closing_a_negative_descriptor_is_ebadf() throws Exception {
    try (EmulatedKQueue outer = EmulatedKQueue.open(); EmulatedKQueue inner = EmulatedKQueue.open()) {
      outer.kevent(new KEvent[] {KEvent.of(inner.fd(), KEvent.EVFILT_READ, EV_ADD, 0, 0, null)},
          null, Duration.ZERO);
      KQueueException e = assertThrows(KQueueException.class, () -> FileDescriptors.close(-1));
      assertEquals(Errno.EBADF, e.errno());
      assertEquals(1, outer.checkInvariants());
    }
  }

  /**
   * A {@code close()} that lands while a changelist is being applied used to turn the next change
   * into an {@code EV_ERROR} entry with {@code EBADF}, so the caller saw a failed change of a queue
   * it had no reason to think closed. The call as a whole fails with {@code EBADF} now. The first
   * change's attach starts the close and returns once the closer waits for that knote.
   */
  @Test
  void a_close_during_the_changelist_fails_the_call_not_the_entry() throws Exception {
    EmulatedKQueue kq = EmulatedKQueue.open();
    AtomicReference<Thread> closer = new AtomicReference<>();
    FilterOps closing = new FilterOps() {
      @Override
      public void attach(KNote kn) {
        Thread t = new Thread(kq::close, "closer");
        closer.set(t);
        t.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (t.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
          Thread.onSpinWait(); // the closer has marked the queue closed and waits for this knote
        }
      }

      @Override
      public void detach(KNote kn) {}

      @Override
      public boolean event(KNote kn, long hint) {
        return false;
      }
    };
    try (FilterSlot slot = FilterSlot.install(closing)) {
      KEvent[] changes = {
        KEvent.of(1, slot.filter, EV_ADD, 0, 0, null),
        KEvent.of(2, EVFILT_USER, EV_ADD | EV_RECEIPT, 0, 0, null),
      };
      KQueueException e = assertThrows(KQueueException.class,
          () -> kq.kevent(changes, new KEvent[2], Duration.ZERO));
      assertEquals(Errno.EBADF, e.errno());
      closer.get().join(10_000);
      assertEquals(false, closer.get().isAlive(), "close() did not finish");
      assertEquals(0, kq.checkInvariants());
    }
  }

  /**
   * A source that revokes its knotes ({@code knlist_clear}: {@code EV_EOF|EV_ONESHOT}) while the
   * scan is processing one of them used to get that knote delivered twice: once by the scan that
   * processed it (already with {@code EV_EOF}), and again because the revoke re-activated it
   * as a oneshot knote the scan had not dropped. Seen as a flaky "oneshot: gone after delivery"
   * in the EVFILT_FSEVENT root-removal test under load; here the revoke lands inside {@code
   * f_event} of the scan's re-check, deterministically.
   */
  @Test
  void a_knote_revoked_while_processed_is_delivered_once_and_dropped() throws Exception {
    KNoteList source = new KNoteList();
    AtomicBoolean revokeInRecheck = new AtomicBoolean();
    FilterOps revoking = new FilterOps() {
      @Override
      public void attach(KNote kn) {
        source.add(kn);
      }

      @Override
      public void detach(KNote kn) {
        source.remove(kn);
      }

      @Override
      public boolean event(KNote kn, long hint) {
        if (hint == 0 && revokeInRecheck.getAndSet(false)) {
          source.revoke(KEvent.NOTE_REVOKE); // the source goes away during the scan's re-check
        }
        return true;
      }
    };
    try (FilterSlot slot = FilterSlot.install(revoking); EmulatedKQueue kq = EmulatedKQueue.open()) {
      kq.kevent(new KEvent[] {KEvent.of(7, slot.filter, EV_ADD | KEvent.EV_CLEAR, 0, 0, "u")},
          null, Duration.ZERO);
      revokeInRecheck.set(true);
      KEvent[] out = new KEvent[4];
      assertEquals(1, kq.kevent(null, out, Duration.ZERO));
      assertEquals(KEvent.EV_EOF, out[0].flags() & KEvent.EV_EOF, out[0].toString());
      assertEquals(0, kq.kevent(null, out, Duration.ZERO), "delivered again: " + out[0]);
      assertEquals(0, kq.checkInvariants(), "the revoked oneshot knote was not dropped");
    }
  }

  private static String states(List<Thread> threads) {
    StringBuilder s = new StringBuilder();
    for (Thread t : threads) {
      s.append(t.getName()).append('=').append(t.getState()).append(' ');
    }
    return s.toString();
  }
}
