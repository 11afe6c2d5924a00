package io.kqueue4j.filters.timer;

import java.time.Instant;

/** {@link TimerClock#system()}: {@link System#nanoTime()} and {@link Instant#now()}. */
final class SystemTimerClock implements TimerClock {
  static final SystemTimerClock INSTANCE = new SystemTimerClock();

  private SystemTimerClock() {}

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public long wallClockNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  @Override
  public String toString() {
    return "TimerClock.system()";
  }
}
