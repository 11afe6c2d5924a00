package io.kqueue4j.filters.proc;

import io.kqueue4j.filters.spi.ProcessExitSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/** Finds the {@link ProcessExitSource} to use: the best available one on the class path. */
final class ProcessExitSources {
  private static final List<String> REJECTED = new ArrayList<>();
  private static final ProcessExitSource BEST = find();

  private ProcessExitSources() {}

  static ProcessExitSource best() {
    return BEST;
  }

  /** Sources found but not usable here, with the reason; for diagnostics. */
  static List<String> rejected() {
    synchronized (REJECTED) {
      return List.copyOf(REJECTED);
    }
  }

  private static ProcessExitSource find() {
    ProcessExitSource best = new PortableProcessExitSource();
    Iterator<ProcessExitSource> found =
        ServiceLoader.load(ProcessExitSource.class, ProcessExitSources.class.getClassLoader())
            .iterator();
    while (true) {
      ProcessExitSource candidate;
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
        } else if (candidate.priority() > best.priority()) {
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
