package io.kqueue4j.filters.fsevent;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One record read from an {@link FsWatcher}: {@code struct kfs_event} of XNU's {@code
 * vfs_fsevents.c} with paths scoped to the watcher's roots.
 *
 * <p>Fields the OS could not supply are 0 ({@code dev}, {@code ino}, {@code mode}, {@code uid},
 * {@code gid}). For a {@link FsEventType#DELETE} and for the source of a {@link FsEventType#RENAME}
 * they describe the object as it was last seen, since it is gone when the event is read. Markers
 * ({@link FsEventType#EVENTS_DROPPED}) have no root and no paths.
 *
 * <p>Thread-safe and immutable, except that {@link #COMBINED} may be set while the event waits in
 * the queue; once an event has been read its {@link #flags()} no longer change.
 */
public final class FsEvent {

  /** The object is a directory. */
  public static final int IS_DIR = 0x1;

  /**
   * Identical events on the same path (same type) were merged into this one inside the coalescing
   * window ({@code FSE_COMBINED_EVENTS}).
   */
  public static final int COMBINED = 0x2;

  /** Events were lost before this record ({@code FSE_EVENTS_DROPPED}); set on markers only. */
  public static final int DROPPED = 0x4;

  /** Internal: the record has been read, so it can no longer be combined with. */
  private static final int CONSUMED = 0x8000_0000;

  private static final VarHandle STATE;
  private static final AtomicLong IDS = new AtomicLong();
  private static final long EPOCH_NANOS_AT_START;
  private static final long NANO_TIME_AT_START;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(FsEvent.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
    Instant now = Instant.now();
    NANO_TIME_AT_START = System.nanoTime();
    EPOCH_NANOS_AT_START = now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  private final FsEventType type;
  private final Path root;
  private final Path path;
  private final Path destination;
  private final long dev;
  private final long ino;
  private final int mode;
  private final int uid;
  private final int gid;
  private final long eventId;
  private final long timestampNanos;
  private final long droppedCount;

  @SuppressWarnings("unused") // through STATE
  private volatile int state;

  FsEvent(
      FsEventType type,
      Path root,
      Path path,
      Path destination,
      long dev,
      long ino,
      int mode,
      int uid,
      int gid,
      int flags,
      long eventId,
      long timestampNanos,
      long droppedCount) {
    this.type = type;
    this.root = root;
    this.path = path;
    this.destination = destination;
    this.dev = dev;
    this.ino = ino;
    this.mode = mode;
    this.uid = uid;
    this.gid = gid;
    this.eventId = eventId;
    this.timestampNanos = timestampNanos;
    this.droppedCount = droppedCount;
    this.state = flags & (IS_DIR | COMBINED | DROPPED);
  }

  /** A marker for {@code count} lost events (at least 1 when the OS source overflowed). */
  static FsEvent droppedMarker(long count, long eventId) {
    return new FsEvent(
        FsEventType.EVENTS_DROPPED, null, null, null, 0, 0, 0, 0, 0, DROPPED, eventId, now(),
        count);
  }

  /** The next event id: strictly increasing in this process. */
  static long nextId() {
    return IDS.incrementAndGet();
  }

  /** The last event id handed out. */
  static long currentId() {
    return IDS.get();
  }

  /** Wall-clock nanoseconds since the epoch, taken from the monotonic clock (never goes back). */
  static long now() {
    return EPOCH_NANOS_AT_START + (System.nanoTime() - NANO_TIME_AT_START);
  }

  /**
   * What happened.
   *
   * @return the event's type; {@link FsEventType#EVENTS_DROPPED} for a marker
   */
  public FsEventType type() {
    return type;
  }

  /**
   * {@return the root (as given to the builder, absolute and normalized) the path is relative to}
   * Null for markers.
   */
  public Path root() {
    return root;
  }

  /** {@return the path relative to {@link #root()}; empty for the root itself; null for markers} */
  public Path path() {
    return path;
  }

  /** {@return {@link #root()} resolved against {@link #path()}; null for markers} */
  public Path absolutePath() {
    return root == null ? null : root.resolve(path);
  }

  /**
   * For {@link FsEventType#RENAME}: the new path relative to {@link #root()}; otherwise null.
   *
   * @return the destination path, or {@code null}
   */
  public Path destination() {
    return destination;
  }

  /** {@return the absolute new path of a rename, or null} */
  public Path absoluteDestination() {
    return destination == null ? null : root.resolve(destination);
  }

  /** {@return {@code st_dev} of the file system holding the object, 0 when unknown} */
  public long dev() {
    return dev;
  }

  /** {@return the inode number, 0 when unknown} */
  public long ino() {
    return ino;
  }

  /** {@return the file type and permission bits ({@code st_mode}), 0 when unknown} */
  public int mode() {
    return mode;
  }

  /**
   * Owner, 0 when unknown (indistinguishable from root: check {@link #mode()} != 0).
   *
   * @return the owner's user id ({@code st_uid}), or 0
   */
  public int uid() {
    return uid;
  }

  /**
   * Group, 0 when unknown.
   *
   * @return the group id ({@code st_gid}), or 0
   */
  public int gid() {
    return gid;
  }

  /**
   * Strictly increasing across every watcher in the process, in the order the source observed the
   * events ({@code kfse->abstime} as XNU uses it); a marker takes the id of the last lost event.
   *
   * @return the event's id
   */
  public long eventId() {
    return eventId;
  }

  /** {@return when the source observed the event, in nanoseconds since the epoch} */
  public long timestampNanos() {
    return timestampNanos;
  }

  /** {@return {@link #timestampNanos()} as an instant} */
  public Instant timestamp() {
    return Instant.ofEpochSecond(
        Math.floorDiv(timestampNanos, 1_000_000_000L), Math.floorMod(timestampNanos, 1_000_000_000L));
  }

  /**
   * {@link #IS_DIR}, {@link #COMBINED}, {@link #DROPPED}.
   *
   * @return the event's flags, a combination of those bits
   */
  public int flags() {
    return state & ~CONSUMED;
  }

  /** {@return whether the object is a directory ({@link #IS_DIR})} */
  public boolean isDirectory() {
    return (state & IS_DIR) != 0;
  }

  /** {@return for a marker, how many events were lost, at least 1; 0 otherwise} */
  public long droppedCount() {
    return droppedCount;
  }

  /**
   * Sets {@link #COMBINED} unless the event has been read. {@code // linearization point} of a
   * coalesce: after a successful CAS the reader is bound to see the flag.
   */
  boolean tryCombine() {
    int s;
    do {
      s = state;
      if ((s & CONSUMED) != 0) {
        return false;
      }
    } while (!STATE.compareAndSet(this, s, s | COMBINED));
    return true;
  }

  /** Marks the event read; later {@link #tryCombine} calls fail. */
  void consume() {
    int s;
    do {
      s = state;
    } while ((s & CONSUMED) == 0 && !STATE.compareAndSet(this, s, s | CONSUMED));
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("FsEvent[#").append(eventId).append(' ').append(type);
    if (type == FsEventType.EVENTS_DROPPED) {
      return b.append(" count=").append(droppedCount).append(']').toString();
    }
    b.append(' ').append(absolutePath());
    if (destination != null) {
      b.append(" -> ").append(absoluteDestination());
    }
    int f = flags();
    if ((f & IS_DIR) != 0) {
      b.append(" IS_DIR");
    }
    if ((f & COMBINED) != 0) {
      b.append(" COMBINED");
    }
    return b.append(" ino=").append(ino).append(" mode=0").append(Integer.toOctalString(mode))
        .append(']').toString();
  }
}
