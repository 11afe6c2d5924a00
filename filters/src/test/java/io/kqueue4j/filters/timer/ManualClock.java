package io.kqueue4j.filters.timer;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link TimerClock} that moves only when told: {@link #advance} moves both clocks, {@link
 * #stepWallClock} only the wall clock (as an NTP step or a user setting the date would).
 */
public final class ManualClock implements TimerClock {
  /** 2023-11-14T22:13:20Z, an arbitrary wall-clock start. */
  public static final long DEFAULT_WALL_START = 1_700_000_000_000_000_000L;

  private final AtomicLong nanos = new AtomicLong(-5_000_000_000L); // any origin works
  private final AtomicLong wall = new AtomicLong(DEFAULT_WALL_START);

  @Override
  public long nanoTime() {
    return nanos.get();
  }

  @Override
  public long wallClockNanos() {
    return wall.get();
  }

  /** Moves both clocks forward. */
  public void advance(Duration by) {
    advanceNanos(by.toNanos());
  }

  public void advanceNanos(long by) {
    if (by < 0) {
      throw new IllegalArgumentException("time does not go back: " + by);
    }
    nanos.addAndGet(by);
    wall.addAndGet(by);
  }

  /** Moves the wall clock alone, forward or back. */
  public void stepWallClock(Duration by) {
    wall.addAndGet(by.toNanos());
  }
}
