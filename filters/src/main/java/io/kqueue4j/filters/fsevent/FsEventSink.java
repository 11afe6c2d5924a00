package io.kqueue4j.filters.fsevent;

/**
 * Where an {@link FsEventSource} reports the changes of one watcher. Implemented by the watcher;
 * called by the source from one thread at a time per watcher.
 *
 * <p>Paths are {@code '/'}-separated strings relative to root {@code root} (an index into {@link
 * FsWatchSpec#roots()}), empty for the root itself.
 */
public interface FsEventSink {

  /**
   * Whether the watcher asked for {@code type}: sources may skip the work for types not wanted.
   *
   * @param type an event type
   * @return {@code true} when the watcher wants events of that type
   */
  boolean wants(FsEventType type);

  /**
   * Whether events from device {@code dev} are excluded ({@code devices_not_to_watch}).
   *
   * @param dev an {@code st_dev}
   * @return {@code true} when the watcher excluded that device
   */
  boolean excludesDevice(long dev);

  /**
   * One event. Types not {@link #wants wanted} and excluded devices are filtered here; the rest is
   * queued, coalesced, or counted as lost when the queue is full.
   *
   * @param type what happened
   * @param root the index of the root in {@link FsWatchSpec#roots()}
   * @param path the object's path relative to the root, empty for the root itself
   * @param destination the new path of a {@link FsEventType#RENAME} or {@link
   *     FsEventType#EXCHANGE}, else null
   * @param dev {@code st_dev} of the object, 0 when unknown
   * @param ino {@code st_ino} of the object, 0 when unknown
   * @param mode {@code st_mode} of the object, 0 when unknown
   * @param uid {@code st_uid} of the object, 0 when unknown
   * @param gid {@code st_gid} of the object, 0 when unknown
   * @param flags {@link FsEvent#IS_DIR}
   */
  void event(
      FsEventType type,
      int root,
      String path,
      String destination,
      long dev,
      long ino,
      int mode,
      int uid,
      int gid,
      int flags);

  /**
   * The source lost events (an OS queue overflowed, a directory could not be watched): the next
   * record the reader sees is an {@link FsEventType#EVENTS_DROPPED} marker.
   */
  void dropped();

  /**
   * Root {@code root} is gone (removed, moved away, unmounted); the source has reported what it
   * knows and stopped watching it. When every root is gone the watcher is revoked: its knotes get
   * {@code NOTE_REVOKE} and {@code EV_EOF}.
   *
   * @param root the index of the root in {@link FsWatchSpec#roots()}
   */
  void rootGone(int root);

  /** End of a batch: wakes readers and posts the watcher's knotes. */
  void flush();
}
