package io.kqueue4j.filters.fsevent;

/** What an {@link FsEventSource} returns for one watcher: the running watch. */
public interface FsWatch extends AutoCloseable {

  /**
   * {@return the number of directories currently watched (inotify watches, for the Linux source)}
   */
  long watchedDirectories();

  /** Stops watching and frees the OS resources; no sink call follows. Idempotent. */
  @Override
  void close();
}
