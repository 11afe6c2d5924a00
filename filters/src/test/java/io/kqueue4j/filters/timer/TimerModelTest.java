package io.kqueue4j.filters.timer;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code EVFILT_TIMER} on a {@link ManualClock} against {@link TimerModel}: seeded random sequences
 * of registrations (periodic, oneshot and absolute timers in every unit, invalid ones, re-adds,
 * {@code EV_DISPATCH}, {@code EV_FORCEONESHOT}, receipts), deletions, enables, disables, clock
 * advances, wall-clock steps and scans, compared after every step by {@link TimerModelRun}. A
 * failure is shrunk to a minimal sequence and printed with its seed; {@code -Dkq.seed=<seed>}
 * replays it.
 */
class TimerModelTest {

  @AfterEach
  void restoreSystemTimerFilter() {
    TimerModelRun.swapTimerFilter(new TimerFilter());
  }

  /** Default suite: about 100,000 steps. */
  @Test
  void timer_filter_matches_the_model() {
    run("timer model", 3_000, 60, Duration.ofSeconds(60));
  }

  /** Long run ({@code mvn -Dslow test}): about 6 million steps, or 3 minutes, whichever first. */
  @Test
  @Tag("slow")
  void timer_filter_matches_the_model_long_run() {
    run("timer model (long)", 60_000, 200, Duration.ofMinutes(3));
  }

  private static void run(String what, int sequences, int maxLength, Duration budget) {
    long seed = Long.getLong("kq.seed", System.nanoTime());
    TimerModelRun run = new TimerModelRun();
    long start = System.nanoTime();
    int done = run.check(seed, sequences, maxLength, budget);
    System.out.printf("[reliability] %s (seed %d): %,d sequences, %s compared in %.1f s%n", what,
        seed, done, run.coverage(), (System.nanoTime() - start) / 1e9);
  }
}
