package io.kqueue4j.filters.fsevent;

/**
 * What a watcher's queue does when its reader falls behind; chosen with {@link
 * FsWatcher.Builder#overflowPolicy}. Either way every lost event is counted in the {@link
 * FsEventType#EVENTS_DROPPED} marker the reader finds where the gap is.
 */
public enum FsOverflowPolicy {
  /**
   * The default: when the queue is full, new events are dropped until the reader makes room; the
   * records already queued are kept. XNU's policy for Apple system watchers.
   */
  TAIL_DROP,

  /**
   * XNU's "falling behind" policy for other watchers ({@code add_fsevent} in {@code
   * vfs_fsevents.c}): when, after an event is queued, more than three quarters of the capacity
   * (rounded down, at least one record) is pending, every queued record, the new one included, is
   * discarded and counted, so the reader next finds one marker and rescans with an empty queue
   * behind it. When the threshold equals the capacity (a capacity of 1) the queue tail-drops.
   */
  FLUSH_WHEN_BEHIND
}
