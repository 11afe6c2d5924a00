package io.kqueue4j.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Delta debugging for randomized model tests: reduces a failing sequence of steps to one from which
 * no single step can be removed without the failure going away. Shared with the other modules'
 * tests through this module's test jar.
 */
public final class Shrink {
  private Shrink() {}

  /**
   * Removes steps from {@code steps} while {@code fails} still holds: first runs of steps, halving
   * their length from half the sequence down to two, then single steps until none can go.
   *
   * @param <T> the step type
   * @param steps a sequence for which {@code fails} holds
   * @param fails whether a sequence still fails; called with non-empty candidates only
   * @return a subsequence, in the original order, for which {@code fails} holds and from which
   *     removing any one step makes it pass
   */
  public static <T> List<T> removeSteps(List<T> steps, Predicate<List<T>> fails) {
    List<T> current = new ArrayList<>(steps);
    for (int run = current.size() / 2; run >= 2; run /= 2) {
      for (int from = current.size() - run; from >= 0; from -= run) {
        current = withoutIfFails(current, from, Math.min(from + run, current.size()), fails);
      }
    }
    boolean progress = true;
    while (progress) {
      progress = false;
      for (int i = current.size() - 1; i >= 0; i--) {
        List<T> candidate = withoutIfFails(current, i, i + 1, fails);
        progress |= candidate != current;
        current = candidate;
      }
    }
    return current;
  }

  /** {@code list} without {@code [from, to)} if that still fails and is not empty, else itself. */
  private static <T> List<T> withoutIfFails(List<T> list, int from, int to,
      Predicate<List<T>> fails) {
    if (from < 0 || to - from >= list.size()) {
      return list;
    }
    List<T> candidate = new ArrayList<>(list.subList(0, from));
    candidate.addAll(list.subList(to, list.size()));
    return fails.test(candidate) ? candidate : list;
  }
}
