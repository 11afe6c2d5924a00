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
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * jcstress cases for the kernel's in-flux protocol and activation races, run by {@code
 * JcstressTest}. Each counts the events two racing actors and a final arbiter see.
 */
public final class InFluxStress {
  private InFluxStress() {}

  /** A queue with one EVFILT_USER knote registered as {@code flags}. */
  static EmulatedKQueue queueWith(int flags) {
    EmulatedKQueue kq = EmulatedKQueue.open();
    KEventBuffer change = new KEventBuffer(1).add(1, EVFILT_USER, EV_ADD | flags, 0, 0, null);
    try {
      kq.kevent(change, null, 0);
    } catch (KQueueException e) {
      throw new IllegalStateException(e);
    }
    return kq;
  }

  static int change(EmulatedKQueue kq, int flags, int fflags) {
    try {
      return kq.kevent(new KEventBuffer(1).add(1, EVFILT_USER, flags, fflags, 0, null), null, 0);
    } catch (KQueueException e) {
      return -e.errno();
    }
  }

  static int poll(EmulatedKQueue kq) {
    try {
      return kq.kevent(null, new KEventBuffer(4), 0);
    } catch (KQueueException e) {
      return -e.errno();
    }
  }

  /** A trigger racing a scan on an EV_CLEAR knote is delivered exactly once. */
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

  /** Two scans racing for one oneshot event: one gets it, never both. */
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
}
