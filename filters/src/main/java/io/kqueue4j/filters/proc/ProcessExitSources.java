package io.kqueue4j.filters.proc;

import io.kqueue4j.filters.spi.ProcessExitSource;
import java.util.List;

/** Finds the {@link ProcessExitSource} to use: the best available one on the class path. */
final class ProcessExitSources {
  private static final BestSource<ProcessExitSource> FOUND =
      new BestSource<>(
          ProcessExitSource.class,
          new PortableProcessExitSource(),
          s -> s.isAvailable() ? null : s.name() + ": " + s.unavailabilityCause(),
          ProcessExitSource::priority);

  private ProcessExitSources() {}

  /** The best available source (the portable one when no other is). */
  static ProcessExitSource best() {
    return FOUND.best();
  }

  /** Sources found but not usable here, with the reason; for diagnostics. */
  static List<String> rejected() {
    return FOUND.rejected();
  }
}
