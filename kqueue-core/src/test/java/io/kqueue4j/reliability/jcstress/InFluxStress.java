package io.kqueue4j.reliability.jcstress;

import static io.kqueue4j.KEvent.*;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.EmulatedKQueue;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * jcstress cases for the kernel's in-flux protocol and activation races, run by {@code
 * JcstressTest}. Each counts the events two racing actors and a final arbiter see.
 *
 * <p>The built-in {@code EVFILT_USER} is processed with the kqueue's lock held ({@code
 * FilterOps.processesUnderKQueueLock}), so a scan delivering such a knote never lets another
 * thread near it. The cases that must reach the scan's in-flux window (the lock dropped around
 * {@code process}, the knote guarded by {@code INFLUX} alone) use {@link FluxTriggerFilter}, which
 * triggers like {@code EVFILT_USER} but keeps the default; the {@code UnderLock} and other {@code
 * EVFILT_USER} cases pin the locked path and registration's own flux.
 */
public final class InFluxStress {
  /** What {@link #delivered} returns for a scan that saw more than one event of the one knote. */
  static final int SEVERAL = 99;

  private InFluxStress() {}

  /** A queue with knote 1 of {@code filter} registered as {@code flags}, with {@code data}. */
  static EmulatedKQueue queueWith(short filter, int flags, int fflags, long data) {
    EmulatedKQueue kq = EmulatedKQueue.open();
    KEventBuffer change = new KEventBuffer(1).add(1, filter, EV_ADD | flags, fflags, data, null);
    try {
      kq.kevent(change, null, 0);
    } catch (KQueueException e) {
      throw new IllegalStateException(e);
    }
    return kq;
  }

  /** A queue with one EVFILT_USER knote registered as {@code flags}. */
  static EmulatedKQueue queueWith(int flags) {
    return queueWith(EVFILT_USER, flags, 0, 0);
  }

  /** A queue whose knote of {@code filter} is triggered and pending with data 1. */
  static EmulatedKQueue pending(short filter, int flags) {
    return queueWith(filter, flags, NOTE_TRIGGER, 1);
  }

  static int change(EmulatedKQueue kq, short filter, int flags, int fflags, long data) {
    try {
      return kq.kevent(new KEventBuffer(1).add(1, filter, flags, fflags, data, null), null, 0);
    } catch (KQueueException e) {
      return -e.errno();
    }
  }

  static int change(EmulatedKQueue kq, int flags, int fflags) {
    return change(kq, EVFILT_USER, flags, fflags, 0);
  }

  /** Events a zero-timeout scan returns, or minus an errno. */
  static int poll(EmulatedKQueue kq) {
    try {
      return kq.kevent(null, new KEventBuffer(4), 0);
    } catch (KQueueException e) {
      return -e.errno();
    }
  }

  /**
   * A zero-timeout scan: the {@code data} of the one event it returns, 0 for none, {@link
   * #SEVERAL} for more than one, or minus an errno.
   */
  static int delivered(EmulatedKQueue kq) {
    KEventBuffer out = new KEventBuffer(4);
    try {
      int n = kq.kevent(null, out, 0);
      return n == 0 ? 0 : n > 1 ? SEVERAL : (int) out.data(0);
    } catch (KQueueException e) {
      return -e.errno();
    }
  }

  /** {@link EmulatedKQueue#checkInvariants()}: the number of knotes, or -1 when one is broken. */
  static int knotes(EmulatedKQueue kq) {
    try {
      return kq.checkInvariants();
    } catch (IllegalStateException e) {
      return -1;
    }
  }

  /** A trigger racing a scan of an empty EV_CLEAR EVFILT_USER queue is delivered exactly once. */
  @JCStressTest
  @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the scan saw the trigger")
  @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the trigger came after the scan")
  @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "trigger lost")
  @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "EV_CLEAR event delivered twice")
  @State
  public static class TriggerVersusScan {
    final EmulatedKQueue kq = queueWith(EV_CLEAR);

    @Actor
    public void trigger() {
      change(kq, 0, NOTE_TRIGGER);
    }

    @Actor
    public void scan(II_Result r) {
      r.r1 = poll(kq);
    }

    @Arbiter
    public void last(II_Result r) {
      r.r2 = poll(kq);
    }
  }

  /**
   * A trigger with data 2 racing the scan of a knote pending with data 1, on the lock-dropping
   * filter: the trigger's {@code touch} must wait while the scan processes the knote in flux. The
   * scan delivers 1 or 2 and the arbiter the rest, each event once; a {@code touch} that ran
   * inside the scan's {@code process} shows as 1 then nothing, or as 2 twice.
   */
  @JCStressTest
  @Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "the trigger came before the scan")
  @Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "the trigger came during or after the scan")
  @Outcome(id = "1, 0", expect = FORBIDDEN, desc = "trigger lost in the scan's flux")
  @Outcome(id = "2, 2", expect = FORBIDDEN, desc = "EV_CLEAR event delivered twice")
  @Outcome(expect = FORBIDDEN, desc = "pending event lost, or several events")
  @State
  public static class PendingTriggerVersusScan {
    final EmulatedKQueue kq = pending(FluxTriggerFilter.ID, EV_CLEAR);

    @Actor
    public void trigger() {
      change(kq, FluxTriggerFilter.ID, 0, NOTE_TRIGGER, 2);
    }

    @Actor
    public void scan(II_Result r) {
      r.r1 = delivered(kq);
    }

    @Arbiter
    public void last(II_Result r) {
      r.r2 = delivered(kq);
    }
  }

  /** {@link PendingTriggerVersusScan} on EVFILT_USER, which the scan processes under the lock. */
  @JCStressTest
  @Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "the trigger came before the scan")
  @Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "the trigger came during or after the scan")
  @Outcome(id = "1, 0", expect = FORBIDDEN, desc = "trigger lost")
  @Outcome(id = "2, 2", expect = FORBIDDEN, desc = "EV_CLEAR event delivered twice")
  @Outcome(expect = FORBIDDEN, desc = "pending event lost, or several events")
  @State
  public static class PendingTriggerVersusScanUnderLock {
    final EmulatedKQueue kq = pending(EVFILT_USER, EV_CLEAR);

    @Actor
    public void trigger() {
      change(kq, EVFILT_USER, 0, NOTE_TRIGGER, 2);
    }

    @Actor
    public void scan(II_Result r) {
      r.r1 = delivered(kq);
    }

    @Arbiter
    public void last(II_Result r) {
      r.r2 = delivered(kq);
    }
  }

  /**
   * Two scans racing for one pending EV_CLEAR event on the lock-dropping filter: the second meets
   * the first's marker, or the knote in flux, and waits; one gets the event, never both.
   */
  @JCStressTest
  @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "first scanner won")
  @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "second scanner won")
  @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "event lost")
  @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "EV_CLEAR event delivered twice")
  @State
  public static class ClearTwoScanners {
    final EmulatedKQueue kq = pending(FluxTriggerFilter.ID, EV_CLEAR);

    @Actor
    public void first(II_Result r) {
      r.r1 = poll(kq);
    }

    @Actor
    public void second(II_Result r) {
      r.r2 = poll(kq);
    }
  }

  /**
   * Two scans racing for one oneshot EVFILT_USER event: one gets it, never both. A oneshot knote is
   * taken off the queue and delivered in flux with the lock dropped, whatever its filter.
   */
  @JCStressTest
  @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "first scanner won")
  @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "second scanner won")
  @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "oneshot event lost")
  @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "oneshot delivered twice")
  @State
  public static class OneshotTwoScanners {
    final EmulatedKQueue kq = triggered(queueWith(EV_ONESHOT));

    static EmulatedKQueue triggered(EmulatedKQueue kq) {
      change(kq, 0, NOTE_TRIGGER);
      return kq;
    }

    @Actor
    public void first(II_Result r) {
      r.r1 = poll(kq);
    }

    @Actor
    public void second(II_Result r) {
      r.r2 = poll(kq);
    }
  }

  /**
   * A trigger racing EV_DISABLE then EV_ENABLE (the knote is in flux during each change): after
   * both, the event is pending exactly once.
   */
  @JCStressTest
  @Outcome(id = "1", expect = ACCEPTABLE, desc = "the trigger survives the flux")
  @Outcome(id = "0", expect = FORBIDDEN, desc = "trigger lost while in flux")
  @State
  public static class TriggerVersusDisableEnable {
    final EmulatedKQueue kq = queueWith(EV_CLEAR);

    @Actor
    public void trigger() {
      change(kq, 0, NOTE_TRIGGER);
    }

    @Actor
    public void toggle() {
      change(kq, EV_DISABLE, 0);
      change(kq, EV_ENABLE, 0);
    }

    @Arbiter
    public void last(I_Result r) {
      r.r1 = poll(kq);
    }
  }

  /**
   * {@code EV_DELETE} racing a scan of the same pending level-triggered knote on the lock-dropping
   * filter (the scan re-queues it after {@code process}, so the delete must wait for the flux and
   * then take it off the queue): the scan sees it at most once, the delete succeeds, and once the
   * delete has returned no scan delivers it (the deleting thread's own, r3, and the arbiter's,
   * r4); the arbiter also finds the invariants hold and no knote left (r4 is ten times its events
   * plus the knotes, -1 for a broken invariant).
   */
  @JCStressTest
  @Outcome(id = "0, 0, 0, 0", expect = ACCEPTABLE, desc = "the delete came first")
  @Outcome(id = "1, 0, 0, 0", expect = ACCEPTABLE, desc = "the scan delivered it first")
  @Outcome(expect = FORBIDDEN, desc = "delivered twice, after the delete, or left inconsistent")
  @State
  public static class DeleteVersusScan {
    final EmulatedKQueue kq = pending(FluxTriggerFilter.ID, 0);

    @Actor
    public void delete(IIII_Result r) {
      r.r2 = change(kq, FluxTriggerFilter.ID, EV_DELETE, 0, 0);
      r.r3 = poll(kq);
    }

    @Actor
    public void scan(IIII_Result r) {
      r.r1 = poll(kq);
    }

    @Arbiter
    public void last(IIII_Result r) {
      r.r4 = poll(kq) * 10 + knotes(kq);
    }
  }

  /**
   * {@code close()} racing a trigger with data 2 and then a scan, on one thread, of the knote
   * pending with data 1 on the lock-dropping filter (two actors: jcstress cannot schedule three on
   * two CPUs). The close waits for the trigger's or the scan's flux; each call succeeds or fails
   * with {@code EBADF} (9), the only error a closed queue gives. A trigger that succeeded before
   * the scan is what the scan delivers (2), a failed one is never delivered, and a scan that
   * succeeds delivers, since the event was pending and the queue open; afterwards a scan fails
   * with {@code EBADF} and no knote is left. r1 is the trigger's result, r2 the scan's data or
   * minus its errno, r3 the arbiter's scan, r4 the knotes left (-1 for a broken invariant).
   */
  @JCStressTest
  @Outcome(id = {"0, 2, -9, 0", "0, -9, -9, 0", "-9, -9, -9, 0"}, expect = ACCEPTABLE,
      desc = "each call came before the close or failed with EBADF")
  @Outcome(id = "0, 1, -9, 0", expect = FORBIDDEN, desc = "the trigger's data lost")
  @Outcome(expect = FORBIDDEN, desc = "event lost, another error, a scan after close, knotes left")
  @State
  public static class CloseVersusTriggerThenScan {
    final EmulatedKQueue kq = pending(FluxTriggerFilter.ID, EV_CLEAR);

    @Actor
    public void close() {
      kq.close();
    }

    @Actor
    public void triggerThenScan(IIII_Result r) {
      r.r1 = change(kq, FluxTriggerFilter.ID, 0, NOTE_TRIGGER, 2);
      r.r2 = delivered(kq);
    }

    @Arbiter
    public void last(IIII_Result r) {
      r.r3 = delivered(kq);
      r.r4 = knotes(kq);
    }
  }
}
