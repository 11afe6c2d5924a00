package io.kqueue4j.filters.fsevent;

import static io.kqueue4j.KEvent.NOTE_REVOKE;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.KNoteList;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A recursive file-system event stream over one or more directory trees: the analogue of a clone of
 * XNU's {@code /dev/fsevents} ({@code fs_event_watcher}), registered in a kqueue with {@code
 * EVFILT_FSEVENT} and {@code ident} = {@link #id()}.
 *
 * <pre>{@code
 * try (FsWatcher w = FsWatcher.builder().root(dir).build();
 *     KQueue kq = KQueue.open()) {
 *   kq.kevent(new KEvent[] {KEvent.of(w.id(), EVFILT_FSEVENT, EV_ADD | EV_CLEAR, 0, 0, null)},
 *       null, Duration.ZERO);
 *   ...                                   // kevent returns it with data = records queued
 *   for (FsEvent e; (e = w.poll()) != null; ) { ... }
 * }
 * }</pre>
 *
 * <p>Records are queued in a bounded queue of {@link Builder#queueCapacity} entries (default
 * {@value FsEventQueue#DEFAULT_CAPACITY}, XNU's default depth). When it is full, new events are
 * dropped (or, with {@link FsOverflowPolicy#FLUSH_WHEN_BEHIND}, the whole queue is discarded once
 * it is three quarters full) and the reader finds an {@link FsEventType#EVENTS_DROPPED} marker
 * where the gap is, counting every event lost: nothing is dropped silently. The same marker reports
 * an overflow of the OS source.
 *
 * <p>One thread reads at a time: a read that overlaps another fails with {@code EAGAIN}, as
 * XNU's fmod_watch does. Closing wakes a blocked reader, which returns null; queued records are
 * discarded. When every root has disappeared the watcher is <em>revoked</em>: its knotes fire with
 * {@code NOTE_REVOKE} and {@code EV_EOF}, and the records already queued can still be read.
 */
public final class FsWatcher implements AutoCloseable {

  private static final ConcurrentHashMap<Long, FsWatcher> WATCHERS = new ConcurrentHashMap<>();
  private static final AtomicLong IDS = new AtomicLong();
  private static final Path EMPTY = Path.of("");

  private final long id;
  private final List<Path> roots;
  private final Set<FsEventType> types;
  private final Set<Long> excludedDevices;
  private final long windowNanos;
  private final FsEventQueue queue;
  private final String sourceName;
  private final KNoteList knotes = new KNoteList();
  private final AtomicBoolean reading = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final boolean[] rootAlive;
  private volatile boolean revoked;
  private volatile Thread waiter;
  private volatile long currentEventId;
  private FsWatch watch;

  private FsWatcher(Builder b, List<Path> roots, String sourceName) {
    this.id = IDS.incrementAndGet();
    this.roots = roots;
    this.types = Collections.unmodifiableSet(EnumSet.copyOf(b.types));
    this.excludedDevices = Set.copyOf(b.excludedDevices);
    this.windowNanos = b.coalescingWindow.toNanos();
    this.queue = new FsEventQueue(b.queueCapacity, windowNanos, b.overflowPolicy);
    this.sourceName = sourceName;
    this.rootAlive = new boolean[roots.size()];
    java.util.Arrays.fill(rootAlive, true);
  }

  /**
   * Starts the description of a new watcher.
   *
   * @return a builder with no root, every type, and the default window, capacity and policy
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The open watcher with {@link #id()} {@code id}, or null.
   *
   * @param id a watcher's {@code ident}
   * @return the watcher, or {@code null} when none with that id is open
   */
  public static FsWatcher byId(long id) {
    return WATCHERS.get(id);
  }

  /**
   * {@return the {@code ident} under which this watcher is registered with {@code EVFILT_FSEVENT}}
   */
  public long id() {
    return id;
  }

  /**
   * The roots watched: absolute and normalized; a root inside another one was merged into it.
   *
   * @return the roots, in the order the events' root indexes refer to them
   */
  public List<Path> roots() {
    return roots;
  }

  /** {@return the types this watcher reports (plus {@link FsEventType#EVENTS_DROPPED})} */
  public Set<FsEventType> types() {
    return types;
  }

  /** {@return the name of the source in use, such as {@code "linux-inotify"}} */
  public String sourceName() {
    return sourceName;
  }

  /** {@return the queue's capacity in records} */
  public int queueCapacity() {
    return queue.capacity();
  }

  /** {@return what the queue does when the reader falls behind} */
  public FsOverflowPolicy overflowPolicy() {
    return queue.policy();
  }

  /** {@return the coalescing window; zero when coalescing is off} */
  public Duration coalescingWindow() {
    return Duration.ofNanos(windowNanos);
  }

  /**
   * Records a read would return now: queued events, plus one for a loss not yet reported. This is
   * the {@code data} of the watcher's {@code EVFILT_FSEVENT} knotes.
   *
   * @return the number of records readable now, 0 once closed
   */
  public int pending() {
    return closed.get() ? 0 : queue.pending();
  }

  /**
   * Events lost so far (queue full, or the source overflowed), reported by markers.
   *
   * @return the total count of lost events since the watcher started
   */
  public long droppedEvents() {
    return queue.droppedTotal();
  }

  /**
   * Events merged into an earlier identical one by coalescing.
   *
   * @return the total count of merged events since the watcher started
   */
  public long coalescedEvents() {
    return queue.coalescedTotal();
  }

  /**
   * {@code FSEVENTS_GET_CURRENT_ID}: the highest {@link FsEvent#eventId()} offered to this watcher,
   * including events that were lost; 0 before the first.
   *
   * @return the highest event id offered, or 0
   */
  public long currentEventId() {
    return currentEventId;
  }

  /** {@return the number of directories the source watches now, 0 once closed} */
  public long watchedDirectories() {
    FsWatch w = watch;
    return w == null || closed.get() ? 0 : w.watchedDirectories();
  }

  /**
   * Whether every root has disappeared (the knotes got {@code NOTE_REVOKE}), or it is closed.
   *
   * @return {@code true} once the watcher is revoked
   */
  public boolean isRevoked() {
    return revoked;
  }

  /** {@return whether {@link #close()} was called} */
  public boolean isClosed() {
    return closed.get();
  }

  /**
   * The next record without waiting, or null when none is queued or the watcher is closed.
   *
   * @return the record, or {@code null}
   * @throws KQueueException {@code EAGAIN} when another thread is reading
   */
  public FsEvent poll() throws KQueueException {
    enterRead();
    try {
      return closed.get() ? null : queue.poll();
    } finally {
      reading.set(false);
    }
  }

  /**
   * The next record, waiting up to {@code timeout} ({@code null} forever) for one.
   *
   * @param timeout the longest wait, or {@code null} to wait until a record comes or the watcher
   *     closes
   * @return the record, or null on timeout, when the watcher is closed, or when it is revoked and
   *     nothing is left
   * @throws KQueueException {@code EAGAIN} when another thread is reading
   * @throws InterruptedIOException when the thread is interrupted while waiting
   */
  public FsEvent read(Duration timeout) throws IOException {
    enterRead();
    try {
      return await(timeout);
    } finally {
      reading.set(false);
    }
  }

  /**
   * Waits up to {@code timeout} ({@code null} forever) for a record, then returns it and up to
   * {@code max - 1} more that are queued; empty on timeout or close.
   *
   * @param max the most records to return, at least 1
   * @param timeout the longest wait for the first record, or {@code null} to wait until one comes
   *     or the watcher closes
   * @return the records read, in queue order; empty on timeout or close
   * @throws IllegalArgumentException when {@code max} is less than 1
   * @throws KQueueException {@code EAGAIN} when another thread is reading
   * @throws InterruptedIOException when the thread is interrupted while waiting
   */
  public List<FsEvent> read(int max, Duration timeout) throws IOException {
    if (max < 1) {
      throw new IllegalArgumentException("max < 1: " + max);
    }
    enterRead();
    try {
      FsEvent first = await(timeout);
      if (first == null) {
        return List.of();
      }
      List<FsEvent> out = new ArrayList<>(Math.min(max, 64));
      out.add(first);
      for (FsEvent e; out.size() < max && !closed.get() && (e = queue.poll()) != null; ) {
        out.add(e);
      }
      return out;
    } finally {
      reading.set(false);
    }
  }

  /**
   * Passes up to {@code max} queued records to {@code action} without waiting.
   *
   * @param action receives each record, on the calling thread
   * @param max the most records to pass
   * @return how many were passed
   * @throws KQueueException {@code EAGAIN} when another thread is reading
   */
  public int drainTo(Consumer<? super FsEvent> action, int max) throws KQueueException {
    enterRead();
    try {
      int n = 0;
      for (FsEvent e; n < max && !closed.get() && (e = queue.poll()) != null; n++) {
        action.accept(e);
      }
      return n;
    } finally {
      reading.set(false);
    }
  }

  private void enterRead() throws KQueueException {
    if (!reading.compareAndSet(false, true)) {
      throw new KQueueException(
          "fsevent read", Errno.EAGAIN, "another thread is reading watcher " + id);
    }
  }

  private FsEvent await(Duration timeout) throws InterruptedIOException {
    long deadline = timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
    waiter = Thread.currentThread();
    try {
      while (true) {
        if (closed.get()) {
          return null;
        }
        FsEvent e = queue.poll();
        if (e != null) {
          return e;
        }
        if (revoked) {
          return null;
        }
        if (timeout == null) {
          LockSupport.park(this);
        } else {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return null;
          }
          LockSupport.parkNanos(this, left);
        }
        if (Thread.interrupted()) {
          throw new InterruptedIOException("interrupted while reading watcher " + id);
        }
      }
    } finally {
      waiter = null;
    }
  }

  private void wakeReader() {
    VarHandle.fullFence(); // the queue's release store before the volatile read of `waiter`
    Thread w = waiter;
    if (w != null) {
      LockSupport.unpark(w);
    }
  }

  /** The knotes registered on this watcher; for {@link FsEventFilter}. */
  KNoteList knotes() {
    return knotes;
  }

  /**
   * Stops watching, discards queued records, wakes a blocked reader, and revokes the knotes
   * ({@code NOTE_REVOKE}, {@code EV_EOF}). Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    WATCHERS.remove(id, this);
    FsWatch w = watch;
    if (w != null) {
      w.close();
    }
    revoked = true;
    queue.clear();
    revokeKnotes();
    wakeReader();
  }

  /**
   * Fires every knote once with {@code NOTE_REVOKE} and {@code EV_EOF}, then detaches them. The
   * post lets {@link FsEventFilter#event} set {@code data} first: a oneshot delivery does not re-run
   * the filter, so an {@code EV_CLEAR} knote would otherwise report the 0 its last delivery left.
   */
  private void revokeKnotes() {
    knotes.post(NOTE_REVOKE);
    knotes.revoke(NOTE_REVOKE);
  }

  @Override
  public String toString() {
    return "FsWatcher[id=" + id + ", roots=" + roots + ", source=" + sourceName + "]";
  }

  /** What the source calls; kept off the public API. */
  private final class Sink implements FsEventSink {
    private boolean signal;

    @Override
    public boolean wants(FsEventType type) {
      return types.contains(type);
    }

    @Override
    public boolean excludesDevice(long dev) {
      return !excludedDevices.isEmpty() && excludedDevices.contains(dev);
    }

    @Override
    public void event(
        FsEventType type,
        int root,
        String path,
        String destination,
        long dev,
        long ino,
        int mode,
        int uid,
        int gid,
        int flags) {
      if (!types.contains(type) || excludesDevice(dev) || closed.get()) {
        return;
      }
      long eventId = FsEvent.nextId();
      currentEventId = eventId;
      FsEvent e =
          new FsEvent(
              type,
              roots.get(root),
              path.isEmpty() ? EMPTY : Path.of(path),
              destination == null ? null : Path.of(destination),
              dev,
              ino,
              mode,
              uid,
              gid,
              flags & FsEvent.IS_DIR,
              eventId,
              FsEvent.now(),
              0);
      queue.offer(e);
      signal = true;
    }

    @Override
    public void dropped() {
      if (!closed.get()) {
        queue.sourceDropped();
        signal = true;
      }
    }

    @Override
    public void rootGone(int root) {
      boolean any;
      synchronized (rootAlive) {
        rootAlive[root] = false;
        any = false;
        for (boolean alive : rootAlive) {
          any |= alive;
        }
      }
      if (!any && !revoked) {
        flush();
        revoked = true;
        revokeKnotes();
        wakeReader();
      }
    }

    @Override
    public void flush() {
      if (signal) {
        signal = false;
        wakeReader();
        knotes.post(0);
      }
    }
  }

  /** Configures and starts an {@link FsWatcher}. Not thread-safe. */
  public static final class Builder {
    private final List<Path> roots = new ArrayList<>();
    private Set<FsEventType> types = FsEventType.all();
    private final Set<Long> excludedDevices = new HashSet<>();
    private Duration coalescingWindow = DEFAULT_COALESCING_WINDOW;
    private int queueCapacity = FsEventQueue.DEFAULT_CAPACITY;
    private FsOverflowPolicy overflowPolicy = FsOverflowPolicy.TAIL_DROP;
    private StartupProgress progress = StartupProgress.NONE;
    private String source;

    /** XNU's window: identical events within one second coalesce while unread. */
    public static final Duration DEFAULT_COALESCING_WINDOW = Duration.ofSeconds(1);

    /** The default queue capacity: {@value FsEventQueue#DEFAULT_CAPACITY} records. */
    public static final int DEFAULT_QUEUE_CAPACITY = FsEventQueue.DEFAULT_CAPACITY;

    private Builder() {}

    /**
     * Adds a root directory to watch recursively.
     *
     * @param root an existing directory; {@link #build()} makes it absolute and normalized
     * @return this builder
     */
    public Builder root(Path root) {
      roots.add(Objects.requireNonNull(root, "root"));
      return this;
    }

    /**
     * Adds root directories to watch recursively.
     *
     * @param more existing directories, none of them null
     * @return this builder
     */
    public Builder roots(Collection<Path> more) {
      more.forEach(this::root);
      return this;
    }

    /**
     * The event types wanted; all by default.
     *
     * @param wanted the types; {@link FsEventType#EVENTS_DROPPED} is ignored, as it always comes
     * @return this builder
     * @throws IllegalArgumentException when no type but {@code EVENTS_DROPPED} is left
     */
    public Builder types(Set<FsEventType> wanted) {
      EnumSet<FsEventType> t = EnumSet.noneOf(FsEventType.class);
      t.addAll(wanted);
      t.remove(FsEventType.EVENTS_DROPPED);
      if (t.isEmpty()) {
        throw new IllegalArgumentException("no event type wanted");
      }
      this.types = t;
      return this;
    }

    /**
     * The event types wanted; all by default.
     *
     * @param first a type wanted
     * @param rest more types wanted
     * @return this builder
     * @throws IllegalArgumentException when no type but {@code EVENTS_DROPPED} is given
     */
    public Builder types(FsEventType first, FsEventType... rest) {
      return types(EnumSet.of(first, rest));
    }

    /**
     * {@code FSEVENTS_DEVICE_FILTER}: no events from file system {@code dev} ({@code st_dev}, as
     * {@code Files.getAttribute(path, "unix:dev")} gives it); its directories are not watched.
     *
     * @param dev the {@code st_dev} to exclude
     * @return this builder
     */
    public Builder excludeDevice(long dev) {
      excludedDevices.add(dev);
      return this;
    }

    /**
     * Identical events (same type and path) closer than {@code window} are merged while the first
     * is unread, which is then flagged {@link FsEvent#COMBINED}; {@link Duration#ZERO} turns
     * coalescing off. Default {@link #DEFAULT_COALESCING_WINDOW}.
     *
     * @param window the window, zero or positive
     * @return this builder
     * @throws IllegalArgumentException when {@code window} is negative
     */
    public Builder coalescingWindow(Duration window) {
      if (window.isNegative()) {
        throw new IllegalArgumentException("negative coalescing window: " + window);
      }
      this.coalescingWindow = window;
      return this;
    }

    /**
     * The queue's capacity in records, 1 to 2^24; default {@link #DEFAULT_QUEUE_CAPACITY}. Memory
     * is allocated up front: about 4 bytes per slot, rounded up to a power of two.
     *
     * @param capacity the number of records the queue holds
     * @return this builder
     * @throws IllegalArgumentException when {@code capacity} is outside 1 to 2^24
     */
    public Builder queueCapacity(int capacity) {
      if (capacity < 1 || capacity > FsEventQueue.MAX_CAPACITY) {
        throw new IllegalArgumentException(
            "queue capacity outside 1.." + FsEventQueue.MAX_CAPACITY + ": " + capacity);
      }
      this.queueCapacity = capacity;
      return this;
    }

    /**
     * What the queue does when the reader falls behind; default {@link FsOverflowPolicy#TAIL_DROP}.
     *
     * @param policy the policy, not null
     * @return this builder
     */
    public Builder overflowPolicy(FsOverflowPolicy policy) {
      this.overflowPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Receives start-up progress on the thread calling {@link #build()}.
     *
     * @param listener the progress listener, not null
     * @return this builder
     */
    public Builder progress(StartupProgress listener) {
      this.progress = Objects.requireNonNull(listener, "progress");
      return this;
    }

    /**
     * Uses the source named {@code name} (see {@link FsEventSources}) instead of the best available
     * one, such as {@code "linux-fanotify"}; {@link #build()} then fails with a {@link
     * KQueueException} naming the reason when that source cannot run here. Null restores the
     * default.
     *
     * @param name a {@link FsEventSource#name()}, or {@code null}
     * @return this builder
     */
    public Builder source(String name) {
      this.source = name;
      return this;
    }

    /**
     * Checks the roots, starts the source and returns once every directory below the roots is
     * watched.
     *
     * @return the running watcher, open until {@link FsWatcher#close()}
     * @throws IllegalStateException when no root was added
     * @throws NoSuchFileException when a root does not exist
     * @throws NotDirectoryException when a root is not a directory
     * @throws KQueueException when the source asked for by {@link #source} does not exist ({@code
     *     ENOENT}) or cannot run here (such as {@code EPERM} when fanotify lacks {@code
     *     CAP_SYS_ADMIN}), the reason in the message
     * @throws IOException when the source cannot watch the tree (an OS limit, for instance)
     */
    public FsWatcher build() throws IOException {
      if (roots.isEmpty()) {
        throw new IllegalStateException("no root to watch");
      }
      FsEventSource chosen =
          source == null ? FsEventSources.active() : FsEventSources.require(source);
      List<Path> checked = checkRoots(roots);
      FsWatcher watcher = new FsWatcher(this, checked, chosen.name());
      FsWatchSpec spec =
          new FsWatchSpec(checked, watcher.types, watcher.excludedDevices, progress);
      watcher.watch = chosen.start(spec, watcher.new Sink());
      WATCHERS.put(watcher.id, watcher);
      return watcher;
    }

    private static List<Path> checkRoots(List<Path> given) throws IOException {
      Set<Path> absolute = new LinkedHashSet<>();
      for (Path root : given) {
        Path p = root.toAbsolutePath().normalize();
        if (!Files.exists(p)) {
          throw new NoSuchFileException(p.toString(), null, "watcher root does not exist");
        }
        if (!Files.isDirectory(p)) {
          throw new NotDirectoryException(p + ": watcher root is not a directory");
        }
        absolute.add(p);
      }
      // A root inside another is watched as part of the outer one.
      List<Path> real = new ArrayList<>();
      List<Path> list = new ArrayList<>(absolute);
      for (Path p : list) {
        real.add(p.toRealPath());
      }
      List<Path> kept = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        boolean nested = false;
        for (int j = 0; j < list.size() && !nested; j++) {
          nested =
              i != j
                  && real.get(i).startsWith(real.get(j))
                  && (!real.get(i).equals(real.get(j)) || j < i);
        }
        if (!nested) {
          kept.add(list.get(i));
        }
      }
      return List.copyOf(kept);
    }
  }
}
