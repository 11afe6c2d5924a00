package io.kqueue4j.filters.proc;

import io.kqueue4j.filters.spi.ProcessEventSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Finds the {@link ProcessEventSource} to use: the best available one on the class path, or none
 * (there is no portable one).
 */
final class ProcessEventSources {
  private static final List<String> REJECTED = new ArrayList<>();
  private static final ProcessEventSource BEST = find();

  private ProcessEventSources() {}

  /** The best available source, or null. */
  static ProcessEventSource best() {
    return BEST;
  }

  /** Sources found but not usable here, with the reason; for diagnostics. */
  static List<String> rejected() {
    synchronized (REJECTED) {
      return List.copyOf(REJECTED);
    }
  }

  private static ProcessEventSource find() {
    ProcessEventSource best = null;
    Iterator<ProcessEventSource> found =
        ServiceLoader.load(ProcessEventSource.class, ProcessEventSources.class.getClassLoader())
            .iterator();
    while (true) {
      ProcessEventSource candidate;
      try {
        if (!found.hasNext()) {
          break;
        }
        candidate = found.next();
      } catch (ServiceConfigurationError e) {
        reject(String.valueOf(e));
        continue;
      }
      try {
        if (!candidate.isAvailable()) {
          reject(candidate.name() + ": " + candidate.unavailabilityCause());
        } else if (best == null || candidate.priority() > best.priority()) {
          best = candidate;
        }
      } catch (RuntimeException | LinkageError e) {
        reject(candidate.getClass().getName() + ": " + e);
      }
    }
    return best;
  }

  private static void reject(String why) {
    synchronized (REJECTED) {
      REJECTED.add(why);
    }
  }
}
