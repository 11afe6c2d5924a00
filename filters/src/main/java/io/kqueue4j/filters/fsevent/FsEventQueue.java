package io.kqueue4j.filters.fsevent;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jctools.queues.MpscArrayQueue;

/**
 * The bounded queue of one watcher ({@code fs_event_watcher.event_queue}): tail drop when full, or
 * the whole queue flushed when it is more than three quarters full ({@link FsOverflowPolicy}), with
 * the loss reported by an {@link FsEventType#EVENTS_DROPPED} marker, and fsevents-style coalescing.
 *
 * <p><b>Drop marker.</b> A lost event increments {@link #lost}. Whoever next claims that count
 * (with {@code getAndSet(0)}) turns it into one marker: the producer, which queues the marker just
 * before its next event, or the reader, when it finds the queue empty. So the marker sits exactly
 * at the gap: after every event queued before the loss and before every event queued after it
 * (XNU puts it in front of the whole queue instead, fmod_watch), and a loss with nothing after it
 * still reaches the reader. {@link #pending()} counts an unclaimed loss as one record, so a knote
 * fires for it (reference note decision D-F3).
 *
 * <p><b>Coalescing.</b> An event whose type {@link FsEventType#isCoalescable() may coalesce} is
 * dropped, and the previously queued event flagged {@link FsEvent#COMBINED}, when that event is the
 * last one queued, has the same type, root and path, is still unread, and was observed less than
 * the window ago. The window is fixed from the kept event, as XNU's {@code last_coalesced_time} is
 * not refreshed by a coalesce; unlike XNU, which compares with the last coalescable event of any
 * watcher, only the tail of this queue counts, so a change of another kind in between keeps both.
 *
 * <p><b>Flush.</b> Under {@link FsOverflowPolicy#FLUSH_WHEN_BEHIND} the producer that takes the
 * queue past {@link #flushThreshold()} drains it, counting each event (and the count of each marker)
 * it removes into {@link #lost}: the marker that follows accounts for every flushed event. Since the
 * producer then consumes, {@link #consumer} makes it and the reader take turns, keeping the JCTools
 * queue single-consumer; under {@link FsOverflowPolicy#TAIL_DROP} the lock is never taken.
 *
 * <p>Threads: any number of producers serialized by the source (one at a time per watcher), one
 * reader at a time (the watcher enforces it).
 */
final class FsEventQueue {
  /** The default capacity: XNU's {@code DEFAULT_MAX_KFS_EVENTS}, the default queue depth. */
  static final int DEFAULT_CAPACITY = 4096;

  /** The largest capacity accepted. */
  static final int MAX_CAPACITY = 1 << 24;

  private final MpscArrayQueue<FsEvent> queue;
  private final int capacity;
  private final long windowNanos;
  private final FsOverflowPolicy policy;
  private final int flushThreshold;
  /** Held while polling under {@link FsOverflowPolicy#FLUSH_WHEN_BEHIND}. */
  private final ReentrantLock consumer = new ReentrantLock();
  /** Records in {@link #queue}; incremented before an offer and decremented after a poll. */
  private final AtomicInteger size = new AtomicInteger();
  /** Events lost and not yet claimed by a marker. */
  private final AtomicLong lost = new AtomicLong();
  private final AtomicLong droppedTotal = new AtomicLong();
  private final AtomicLong coalescedTotal = new AtomicLong();
  private volatile long lastLostId;
  /** The last event queued; confined to the (serialized) producers. */
  private FsEvent tail;

  FsEventQueue(int capacity, long windowNanos) {
    this(capacity, windowNanos, FsOverflowPolicy.TAIL_DROP);
  }

  FsEventQueue(int capacity, long windowNanos, FsOverflowPolicy policy) {
    if (capacity < 1 || capacity > MAX_CAPACITY) {
      throw new IllegalArgumentException("queue capacity outside 1.." + MAX_CAPACITY + ": " + capacity);
    }
    this.capacity = capacity;
    this.windowNanos = windowNanos;
    this.policy = policy;
    this.flushThreshold = Math.max(1, (int) (capacity * 3L / 4));
    this.queue = new MpscArrayQueue<>(Math.max(2, capacity));
  }

  int capacity() {
    return capacity;
  }

  FsOverflowPolicy policy() {
    return policy;
  }

  /**
   * Under {@link FsOverflowPolicy#FLUSH_WHEN_BEHIND}: the queue is flushed when more records than
   * this are pending ({@code eventq_size * 3 / 4} in XNU, at least 1).
   */
  int flushThreshold() {
    return flushThreshold;
  }

  /**
   * Queues {@code e}, coalesces it, or counts it as lost.
   *
   * @return false when it was lost
   */
  boolean offer(FsEvent e) {
    FsEvent last = tail;
    if (windowNanos > 0
        && last != null
        && e.type().isCoalescable()
        && last.type() == e.type()
        && last.root() == e.root()
        && last.path().equals(e.path())
        && e.timestampNanos() - last.timestampNanos() < windowNanos
        && last.tryCombine()) {
      coalescedTotal.incrementAndGet();
      return true;
    }
    long gap = lost.getAndSet(0);
    if (gap > 0 && !enqueue(FsEvent.droppedMarker(gap, lastLostId))) {
      lost.addAndGet(gap);
      return lose(e.eventId());
    }
    if (!enqueue(e)) {
      return lose(e.eventId());
    }
    tail = e;
    return policy == FsOverflowPolicy.TAIL_DROP
        || size.get() <= flushThreshold
        || !flushIfBehind(e.eventId());
  }

  /**
   * When more than {@link #flushThreshold()} records are pending (checked again under the lock, so
   * a record the reader is taking counts as taken): discards every queued record, the newest (id
   * {@code newestId}) included, and counts them as one loss the next marker reports.
   *
   * @return whether the queue was flushed
   */
  private boolean flushIfBehind(long newestId) {
    long events = 0;
    long carried = 0;
    consumer.lock();
    try {
      if (size.get() <= flushThreshold) {
        return false;
      }
      for (FsEvent x; (x = queue.poll()) != null; ) {
        size.decrementAndGet();
        x.consume();
        if (x.type() == FsEventType.EVENTS_DROPPED) {
          carried += x.droppedCount(); // counted in droppedTotal when they were lost
        } else {
          events++;
        }
      }
    } finally {
      consumer.unlock();
    }
    tail = null;
    lastLostId = newestId;
    droppedTotal.addAndGet(events);
    lost.addAndGet(events + carried);
    return true;
  }

  /** The source lost an unknown number (at least one) of events at this point of the stream. */
  void sourceDropped() {
    lose(FsEvent.currentId());
  }

  private boolean lose(long eventId) {
    lastLostId = eventId;
    tail = null;
    droppedTotal.incrementAndGet();
    lost.incrementAndGet();
    return false;
  }

  private boolean enqueue(FsEvent e) {
    if (size.incrementAndGet() > capacity) {
      size.decrementAndGet();
      return false;
    }
    // Cannot fail: the queue's power-of-two capacity is at least `capacity`, and a slot counted
    // free by `size` has been released by poll() before the reader decremented it.
    queue.offer(e);
    return true;
  }

  /** The next record, a marker for an unclaimed loss, or null. Reader only. */
  FsEvent poll() {
    if (policy == FsOverflowPolicy.TAIL_DROP) {
      return pollRecord();
    }
    consumer.lock();
    try {
      return pollRecord();
    } finally {
      consumer.unlock();
    }
  }

  private FsEvent pollRecord() {
    FsEvent e = queue.poll();
    if (e != null) {
      size.decrementAndGet();
      e.consume();
      return e;
    }
    long gap = lost.getAndSet(0);
    if (gap > 0) {
      FsEvent marker = FsEvent.droppedMarker(gap, lastLostId);
      marker.consume();
      return marker;
    }
    return null;
  }

  /** Records a read would return now: queued events plus one for an unclaimed loss. */
  int pending() {
    return Math.max(0, size.get()) + (lost.get() > 0 ? 1 : 0);
  }

  /** Events lost in total, by a full queue or by the source. */
  long droppedTotal() {
    return droppedTotal.get();
  }

  /** Events merged into an earlier one. */
  long coalescedTotal() {
    return coalescedTotal.get();
  }

  /** Discards everything (close). */
  void clear() {
    consumer.lock();
    try {
      while (queue.poll() != null) {
        size.decrementAndGet();
      }
    } finally {
      consumer.unlock();
    }
    lost.set(0);
  }
}
