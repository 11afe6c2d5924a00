package io.kqueue4j.filters.fsevent;

/**
 * Receives progress while a watcher starts, on the thread that called {@link
 * FsWatcher.Builder#build()}: at most every {@link #INTERVAL_DIRECTORIES} directories, and once at
 * the end with {@code done} set. Must be quick and must not throw.
 */
@FunctionalInterface
public interface StartupProgress {

  /** How often, in directories watched, a source reports progress. */
  int INTERVAL_DIRECTORIES = 1000;

  /**
   * Reports how far the start-up has come.
   *
   * @param directories directories watched so far
   * @param entries directory entries examined so far (files and directories)
   * @param elapsedNanos time since the start-up began
   * @param done whether this is the final report
   */
  void progress(long directories, long entries, long elapsedNanos, boolean done);

  /** Does nothing. */
  StartupProgress NONE = (directories, entries, elapsedNanos, done) -> {};
}
