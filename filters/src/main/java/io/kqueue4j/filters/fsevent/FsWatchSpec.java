package io.kqueue4j.filters.fsevent;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * What an {@link FsEventSource} is asked to watch.
 *
 * @param roots absolute, normalized directories, none inside another
 * @param types the types wanted (never empty)
 * @param excludedDevices {@code st_dev} values whose directories are not watched and whose events
 *     are not reported
 * @param progress start-up progress listener
 */
public record FsWatchSpec(
    List<Path> roots, Set<FsEventType> types, Set<Long> excludedDevices, StartupProgress progress) {

  /**
   * Takes unmodifiable copies of the collections, so the spec cannot change after it is made.
   *
   * @param roots absolute, normalized directories, none inside another
   * @param types the types wanted (never empty)
   * @param excludedDevices {@code st_dev} values not to watch or report
   * @param progress start-up progress listener
   * @throws NullPointerException when a collection is null or holds null
   */
  public FsWatchSpec {
    roots = List.copyOf(roots);
    types = Set.copyOf(types);
    excludedDevices = Set.copyOf(excludedDevices);
  }
}
