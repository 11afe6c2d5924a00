package io.kqueue4j.kernel;

/**
 * Activates knotes one after the other for one thread, keeping the lock of the kqueue of the last
 * knote between activations of knotes of that kqueue: a source that activates many knotes in a
 * row, such as a timer service firing the timers that are due, takes a kqueue's lock once per run
 * of its knotes instead of once per knote ({@code KNOTE_ACTIVATE} under a lock that the caller
 * keeps, as FreeBSD's callouts and {@code knote()} callers do with the kqueue lock).
 *
 * <p>Not thread-safe: one thread uses a batch at a time. While a run is open the thread holds that
 * kqueue's lock, so it must not take a lock that comes before a kqueue's (a knote list's, a timer
 * service's) until it has called {@link #flush()}, and it must flush before it blocks or returns
 * control to code that does not know of the batch. A run holds the lock for at most {@value
 * #MAX_RUN} calls, so that the kqueue's scanners wait for at most that many.
 */
public final class ActivationBatch {
  /** The most calls of {@link #enter} and {@link #activate} under one hold of a kqueue's lock. */
  static final int MAX_RUN = 256;

  private EmulatedKQueue held;
  private int run;

  /** A batch with no run open. */
  public ActivationBatch() {}

  /**
   * Makes the current run hold {@code kn}'s kqueue lock, starting a run for that kqueue when the
   * current one is for another or full, so that the caller may change state the kqueue's lock
   * guards (a count that the filter's {@code process} takes under it) before it activates.
   *
   * @param kn the knote whose kqueue's lock the run must hold
   */
  public void enter(KNote kn) {
    EmulatedKQueue kq = kn.kq;
    if (kq != held || run == MAX_RUN) {
      flush();
      kq.lock();
      held = kq;
    }
    run++;
  }

  /**
   * {@link KNote#activate()} within the current run, or in a new one for the knote's kqueue.
   *
   * @param kn the knote to activate; ignored once dropped, as by {@link KNote#activate()}
   */
  public void activate(KNote kn) {
    enter(kn);
    kn.activateLocked();
  }

  /** Ends the current run: releases its kqueue's lock, which wakes the kqueue's sleepers. */
  public void flush() {
    EmulatedKQueue kq = held;
    if (kq != null) {
      held = null;
      run = 0;
      kq.unlock();
    }
  }
}
