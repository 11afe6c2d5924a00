package io.kqueue4j.filters.timer;

import java.time.Instant;

/**
 * The two clocks a {@link TimerService} reads: a monotonic one that deadlines are measured on, and
 * the wall clock that {@code NOTE_ABSTIME} deadlines are given in. Tests inject a manual clock and
 * drive the service with {@link TimerService#expire()}.
 */
public interface TimerClock {

  /** Monotonic nanoseconds from an arbitrary origin, as {@link System#nanoTime()}. */
  long nanoTime();

  /** Nanoseconds since the Unix epoch on the wall clock, the base of {@code NOTE_ABSTIME}. */
  long wallClockNanos();

  /** {@link System#nanoTime()} and {@link Instant#now()}. */
  static TimerClock system() {
    return SystemTimerClock.INSTANCE;
  }
}
