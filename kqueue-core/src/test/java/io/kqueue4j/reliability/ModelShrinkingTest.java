package io.kqueue4j.reliability;

import static io.kqueue4j.KEvent.EVFILT_USER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_DISPATCH;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static io.kqueue4j.KEvent.NOTE_TRIGGER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import io.kqueue4j.KEvent;
import io.kqueue4j.KQueueException;
import io.kqueue4j.reliability.KNoteModel.BrokenRule;
import io.kqueue4j.reliability.ModelSteps.Call;
import io.kqueue4j.reliability.ModelSteps.SourceAction;
import io.kqueue4j.reliability.ModelSteps.SourceStep;
import io.kqueue4j.reliability.ModelSteps.Step;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The model test's shrinking works: with one rule of {@link KNoteModel} broken on purpose, which to
 * the comparison looks exactly like the same bug in the kernel, a seeded run fails and reports the
 * minimal sequence that shows the bug, from which no step can be removed.
 */
class ModelShrinkingTest {
  private static final long SEED = 42;

  private static ModelRun.Failure failureWith(BrokenRule rule) {
    ModelRun.Failure failure = assertThrows(ModelRun.Failure.class, () -> ModelRun.check(
        qt().withFixedSeed(SEED).withExamples(500).withShrinkCycles(100), 80, EnumSet.of(rule)));
    System.out.println("[reliability] with " + rule + ": " + failure.getMessage());
    return failure;
  }

  /** The only change of {@code step}, which must be a call with one change. */
  private static KEvent onlyChange(Step step) {
    Call call = assertInstanceOf(Call.class, step, "a kevent call");
    assertEquals(1, call.changes().length, () -> "one change in " + call);
    return call.changes()[0];
  }

  /** The sequence fails, and removing any one of its steps makes the run pass. */
  private static void assertOneMinimal(List<Step> minimal, BrokenRule rule) throws KQueueException {
    for (int i = 0; i < minimal.size(); i++) {
      List<Step> fewer = new ArrayList<>(minimal);
      fewer.remove(i);
      int removed = i;
      assertNull(ModelRun.replay(fewer, EnumSet.of(rule)),
          () -> "still fails without step " + removed + " of " + minimal);
    }
    assertNotNull(ModelRun.replay(minimal, EnumSet.of(rule)), "the minimal sequence fails");
  }

  @Test
  void a_dispatch_knote_left_enabled_is_shrunk_to_add_trigger_and_touch() throws KQueueException {
    ModelRun.Failure failure = failureWith(BrokenRule.DISPATCH_DOES_NOT_DISABLE);
    List<Step> minimal = failure.minimal;
    assertEquals(2, minimal.size(), failure::getMessage);
    // EV_ADD|EV_DISPATCH with NOTE_TRIGGER: delivered by that call's scan, so disabled ...
    KEvent add = onlyChange(minimal.get(0));
    assertEquals(EVFILT_USER, add.filter());
    assertEquals(EV_ADD | EV_DISPATCH, add.flags(), failure::getMessage);
    assertEquals(NOTE_TRIGGER, add.fflags(), failure::getMessage);
    // ... then a bare change to it, which re-checks the knote: the broken model queues it again.
    KEvent touch = onlyChange(minimal.get(1));
    assertEquals(EVFILT_USER, touch.filter());
    assertEquals(add.ident(), touch.ident());
    assertEquals(0, touch.flags(), failure::getMessage);
    assertEquals(0, touch.fflags(), failure::getMessage);
    assertTrue(failure.getMessage().contains("minimal sequence of 2 steps"), failure::getMessage);
    assertOneMinimal(minimal, BrokenRule.DISPATCH_DOES_NOT_DISABLE);
  }

  @Test
  void a_oneshot_level_knote_left_registered_is_shrunk_to_write_and_add() throws KQueueException {
    ModelRun.Failure failure = failureWith(BrokenRule.LEVEL_ONESHOT_NOT_DROPPED);
    List<Step> minimal = failure.minimal;
    assertEquals(2, minimal.size(), failure::getMessage);
    SourceStep write = assertInstanceOf(SourceStep.class, minimal.get(0), failure::getMessage);
    assertEquals(SourceAction.WRITE, write.action());
    KEvent add = onlyChange(minimal.get(1));
    assertEquals(write.source(), add.ident());
    assertEquals(EV_ADD | EV_ONESHOT, add.flags(), failure::getMessage);
    assertTrue(failure.getMessage().contains("knotes: expected 1 actual 0"), failure::getMessage);
    assertOneMinimal(minimal, BrokenRule.LEVEL_ONESHOT_NOT_DROPPED);
  }
}
