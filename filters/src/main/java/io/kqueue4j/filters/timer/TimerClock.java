package io.kqueue4j.filters.timer;

import java.time.Instant;

/**
 * The two clocks a {@link TimerService} reads: a monotonic one that deadlines are measured on, and
 * the wall clock that {@code NOTE_ABSTIME} deadlines are given in. Tests inject a manual clock and
 * drive the service with {@link TimerService#expire()}.
 */
public interface TimerClock {

  /**
   * Monotonic nanoseconds from an arbitrary origin, as {@link System#nanoTime()}.
   *
   * @return the current monotonic time in nanoseconds; only differences are meaningful
   */
  long nanoTime();

  /**
   * Nanoseconds since the Unix epoch on the wall clock, the base of {@code NOTE_ABSTIME}.
   *
   * @return the current wall-clock time in nanoseconds since 1970-01-01T00:00:00Z
   */
  long wallClockNanos();

  /**
   * {@link System#nanoTime()} and {@link Instant#now()}.
   *
   * @return the shared clock on the JVM's monotonic and wall clocks
   */
  static TimerClock system() {
    return SystemTimerClock.INSTANCE;
  }
}
