package io.kqueue4j.filters.proc;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * The best available {@link ServiceLoader} provider of one source type, chosen once when built:
 * the usable candidate with the highest priority, else the fallback. Candidates that cannot be
 * loaded, are unavailable here or fail while asked are kept with the reason, for diagnostics.
 * Immutable once built, so safe to share between threads.
 *
 * @param <S> the source type
 */
final class BestSource<S> {
  private final List<String> rejected = new ArrayList<>();
  private final S best;

  /**
   * Loads every provider of {@code type} and keeps the best.
   *
   * @param type the service type to load
   * @param fallback the source to use when no provider is usable and none outranks it, or null
   * @param unusable why a candidate cannot be used here ({@code "name: cause"}), or null when it
   *     can
   * @param priority a candidate's rank; the highest wins
   */
  BestSource(Class<S> type, S fallback, Function<S, String> unusable, ToIntFunction<S> priority) {
    S chosen = fallback;
    Iterator<S> found = ServiceLoader.load(type, BestSource.class.getClassLoader()).iterator();
    while (true) {
      S candidate;
      try {
        if (!found.hasNext()) {
          break;
        }
        candidate = found.next();
      } catch (ServiceConfigurationError e) {
        rejected.add(String.valueOf(e));
        continue;
      }
      try {
        String why = unusable.apply(candidate);
        if (why != null) {
          rejected.add(why);
        } else if (chosen == null || priority.applyAsInt(candidate) > priority.applyAsInt(chosen)) {
          chosen = candidate;
        }
      } catch (RuntimeException | LinkageError e) {
        rejected.add(candidate.getClass().getName() + ": " + e);
      }
    }
    best = chosen;
  }

  /** {@return the chosen source, or null when none is usable and there is no fallback} */
  S best() {
    return best;
  }

  /** {@return the sources found but not usable here, each with the reason} */
  List<String> rejected() {
    return List.copyOf(rejected);
  }
}
