package io.kqueue4j.samples.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The restart delay: doubles after quick exits, capped, reset by a stable run. */
class BackoffTest {
  private static final Duration QUICK = Duration.ofMillis(10);
  private static final Duration STABLE = Duration.ofSeconds(5);

  @Test
  void doublesUpToTheCapAndGoesBackAfterAStableRun() {
    Backoff b = new Backoff(new ProgramSpec("p", List.of("true"), Duration.ofMillis(100),
        Duration.ofMillis(500), STABLE));
    assertEquals(100, b.next(QUICK).toMillis());
    assertEquals(200, b.next(QUICK).toMillis());
    assertEquals(400, b.next(QUICK).toMillis());
    assertEquals(500, b.next(QUICK).toMillis());
    assertEquals(500, b.next(QUICK).toMillis());
    assertEquals(100, b.next(STABLE).toMillis());
    assertEquals(200, b.next(STABLE.minusMillis(1)).toMillis());
  }

  @Test
  void firstExitWaitsTheInitialDelayWhateverTheUptime() {
    Duration second = Duration.ofSeconds(1);
    assertEquals(second, new Backoff(new ProgramSpec("p", List.of("true"), second,
        Duration.ofMinutes(1), STABLE)).next(Duration.ofHours(1)));
  }
}
