package io.kqueue4j.reliability;

import static org.quicktheories.QuickTheory.qt;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The emulated kernel against {@link UserKnoteModel}: random sequences of {@code kevent} calls on
 * {@code EVFILT_USER} knotes (every action and flag, {@code NOTE_FF*}, triggers, receipts, errors,
 * scans with a random {@code nevents}, both call forms), compared after every call by {@link
 * ModelRun}. quicktheories shrinks a failure to a minimal sequence and prints it with its seed;
 * {@code -DQT_SEED=<seed>} replays it.
 */
class UserFilterModelTest {

  /** Default suite: about 100,000 calls in 2 to 3 seconds. */
  @Test
  void kernel_matches_the_model() {
    long steps = ModelRun.STEPS.get();
    long start = System.nanoTime();
    ModelRun.check(qt().withExamples(2_500).withShrinkCycles(500), 80);
    report("model", ModelRun.STEPS.get() - steps, start);
  }

  /** Long run ({@code mvn -Dslow test}): about 12 million calls (about a minute), or 3 minutes, whichever first. */
  @Test
  @Tag("slow")
  void kernel_matches_the_model_long_run() {
    long steps = ModelRun.STEPS.get();
    long start = System.nanoTime();
    ModelRun.check(
        qt().withExamples(100_000).withTestingTime(3, TimeUnit.MINUTES).withShrinkCycles(2_000),
        250);
    report("model (long)", ModelRun.STEPS.get() - steps, start);
  }

  static void report(String what, long steps, long startNanos) {
    System.out.printf("[reliability] %s: %,d kevent calls compared in %.1f s; so far %s%n", what,
        steps, (System.nanoTime() - startNanos) / 1e9, ModelRun.coverage());
  }
}
