package io.kqueue4j.reliability;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.kernel.EmulatedKQueue;
import io.kqueue4j.testing.FilterSlot;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Registrations, deletions, enables, disables, triggers, scans, waits, interrupts and source posts
 * from ten threads on one kqueue for a bounded time, then an exact account of every event; see
 * {@link StressRig} for what runs and what is checked. {@code -Dkq.seed=<seed>} repeats the
 * threads' choices (not their interleaving).
 */
class ConcurrentStressTest {

  @Test
  void every_event_is_accounted_for() throws Exception {
    run(Duration.ofSeconds(4));
  }

  @Test
  @Tag("slow")
  void every_event_is_accounted_for_long_run() throws Exception {
    run(Duration.ofSeconds(90));
  }

  private static void run(Duration length) throws Exception {
    long seed = Long.getLong("kq.seed", System.nanoTime());
    CountingSourceFilter filter = new CountingSourceFilter(StressRig.SOURCES);
    try (FilterSlot slot = FilterSlot.install(filter)) {
      EmulatedKQueue kq = EmulatedKQueue.open();
      StressRig rig = new StressRig(kq, filter, slot.filter, seed);
      long start = System.nanoTime();
      try {
        rig.start(3, 2);
        await().atMost(length.plusSeconds(10))
            .until(() -> !rig.violations.isEmpty() || System.nanoTime() - start > length.toNanos());
        rig.stopAndJoin(Duration.ofSeconds(20));
        kq.checkInvariants();
        rig.finalDrain();
        kq.checkInvariants();
        StressRig.Figures figures = rig.verify(true);
        System.out.printf("[reliability] stress (seed %d, %.1f s): %s%n", seed,
            (System.nanoTime() - start) / 1e9, figures);
      } finally {
        kq.close();
      }
      for (CountingSourceFilter.Instance in : filter.instances()) {
        if (!in.detached) {
          rig.violations.add(in + ": not detached by close()");
        }
      }
      List<String> found = List.copyOf(rig.violations);
      assertTrue(found.isEmpty(), () -> "seed " + seed + ": " + found.size() + " violations:\n  "
          + String.join("\n  ", found.subList(0, Math.min(30, found.size()))));
    } // FilterSlot.close(): Filters.remove fails with EBUSY if a knote leaked its filter reference
  }
}
