package io.kqueue4j.filters.proc;

import io.kqueue4j.filters.spi.ProcessEventSource;
import java.util.List;

/**
 * Finds the {@link ProcessEventSource} to use: the best available one on the class path, or none
 * (there is no portable one).
 */
final class ProcessEventSources {
  private static final BestSource<ProcessEventSource> FOUND =
      new BestSource<>(
          ProcessEventSource.class,
          null,
          s -> s.isAvailable() ? null : s.name() + ": " + s.unavailabilityCause(),
          ProcessEventSource::priority);

  private ProcessEventSources() {}

  /** The best available source, or null. */
  static ProcessEventSource best() {
    return FOUND.best();
  }

  /** Sources found but not usable here, with the reason; for diagnostics. */
  static List<String> rejected() {
    return FOUND.rejected();
  }
}
