package io.kqueue4j.reliability;

import static org.quicktheories.QuickTheory.qt;

import io.kqueue4j.KQueueException;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The emulated kernel against {@link KNoteModel}: random sequences of {@code kevent} calls on
 * {@code EVFILT_USER} knotes and on the knotes of a level-triggered source filter ({@link
 * LevelSourceFilter}; every action and flag, {@code NOTE_FF*}, triggers, receipts, errors, scans
 * with a random {@code nevents}, both call forms) interleaved with the sources' writes, reads and
 * hang-ups, compared after every step by {@link ModelRun}. A failure is shrunk to a minimal
 * sequence and printed with its seed; {@code -DQT_SEED=<seed>} replays it. {@link
 * ModelShrinkingTest} shows that the shrinking works.
 */
class KernelModelTest {

  /** Default suite: about 100,000 steps in a few seconds. */
  @Test
  void kernel_matches_the_model() throws KQueueException {
    long steps = ModelRun.STEPS.get();
    long start = System.nanoTime();
    ModelRun.check(qt().withExamples(2_500).withShrinkCycles(500), 80,
        EnumSet.noneOf(KNoteModel.BrokenRule.class));
    report("model", ModelRun.STEPS.get() - steps, start);
  }

  /** Long run ({@code mvn -Dslow test}): about 12 million steps, or 3 minutes, whichever first. */
  @Test
  @Tag("slow")
  void kernel_matches_the_model_long_run() throws KQueueException {
    long steps = ModelRun.STEPS.get();
    long start = System.nanoTime();
    ModelRun.check(
        qt().withExamples(100_000).withTestingTime(3, TimeUnit.MINUTES).withShrinkCycles(2_000),
        250, EnumSet.noneOf(KNoteModel.BrokenRule.class));
    report("model (long)", ModelRun.STEPS.get() - steps, start);
  }

  static void report(String what, long steps, long startNanos) {
    System.out.printf("[reliability] %s: %,d steps compared in %.1f s; so far %s%n", what,
        steps, (System.nanoTime() - startNanos) / 1e9, ModelRun.coverage());
  }
}
