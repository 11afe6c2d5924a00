package io.kqueue4j.filters.vnode;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * {@code "portable-stat-polling"}: the {@code EVFILT_VNODE} source used where no native one is
 * available (or where system property {@value VnodeSources#SOURCE_PROPERTY} asks for it). One
 * daemon thread, {@code kqueue4j-vnode-poll}, {@code stat}s every watched object through the
 * process's descriptor directory ({@code /proc/self/fd/N}, else {@code /dev/fd/N}) every {@link
 * #interval()} ({@value #DEFAULT_INTERVAL_MILLIS} ms unless system property {@value
 * #INTERVAL_PROPERTY} says otherwise) and reports what changed between two polls as {@link
 * VnodeState#notesSince} explains. Objects reached through several descriptors are polled once.
 *
 * <p>Limits, beside the latency of up to one interval: changes that cancel out within an interval
 * are not seen (a file written and truncated back to the same size and time stamp); a write in
 * place cannot be told from a {@code utimes} ({@code NOTE_WRITE|NOTE_ATTRIB} for both); the
 * directory bit {@code NOTE_EXTEND} of a cross-directory rename is never reported; and {@code
 * NOTE_OPEN}, {@code NOTE_CLOSE}, {@code NOTE_CLOSE_WRITE} and {@code NOTE_READ} leave no trace in
 * a file's state, so registering for them fails with {@code EOPNOTSUPP}. Each poll costs one {@code
 * stat} per watched object, whether or not it changed. When none of an object's descriptors refers
 * to it any more (closed behind the kernel's back and reused), it is revoked: {@code EV_EOF}.
 */
public final class PollingVnodeSource implements VnodeSource {
  /**
   * This source's {@link #name()}, the value of {@link VnodeSources#SOURCE_PROPERTY} that forces
   * it.
   */
  public static final String NAME = "portable-stat-polling";
  /** The system property that sets the poll interval in milliseconds, read once; at least 1. */
  public static final String INTERVAL_PROPERTY = "io.kqueue4j.vnode.pollIntervalMillis";
  /** The poll interval in milliseconds when {@link #INTERVAL_PROPERTY} is not set. */
  public static final long DEFAULT_INTERVAL_MILLIS = 500;

  private static final System.Logger LOG = System.getLogger(PollingVnodeSource.class.getName());
  private static final String ATTRIBUTES =
      "unix:dev,ino,mode,nlink,uid,gid,size,lastModifiedTime,ctime";
  private static final PollingVnodeSource INSTANCE = new PollingVnodeSource();

  private final Duration interval;
  private final Path fdDirectory;
  private final Object lock = new Object();
  /** Serializes rounds: the thread's and {@link #pollNow()}'s. */
  private final Object pollLock = new Object();
  /** Guarded by {@link #lock}. */
  private final Map<Key, PolledVnode> byKey = new HashMap<>();
  /** Guarded by {@link #lock}; null while nothing is watched. */
  private ScheduledExecutorService timer;

  private PollingVnodeSource() {
    long millis = Long.getLong(INTERVAL_PROPERTY, DEFAULT_INTERVAL_MILLIS);
    this.interval = Duration.ofMillis(Math.max(1, millis));
    this.fdDirectory = findFdDirectory();
  }

  /**
   * The process's one polling source.
   *
   * @return the shared instance
   */
  public static PollingVnodeSource instance() {
    return INSTANCE;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return Integer.MIN_VALUE;
  }

  @Override
  public Throwable unavailabilityCause() {
    if (!FileSystems.getDefault().supportedFileAttributeViews().contains("unix")) {
      return new UnsupportedOperationException("the JDK offers no \"unix\" file attribute view here");
    }
    if (fdDirectory == null) {
      return new UnsupportedOperationException(
          "neither /proc/self/fd nor /dev/fd lists this process's descriptors");
    }
    return null;
  }

  @Override
  public String supportName() {
    return null;
  }

  @Override
  public int supportedNotes() {
    return VnodeNotes.ALL & ~VnodeNotes.ACCESS;
  }

  /**
   * How often every watched object is polled.
   *
   * @return the interval, from {@link #INTERVAL_PROPERTY} or {@link #DEFAULT_INTERVAL_MILLIS}
   */
  public Duration interval() {
    return interval;
  }

  @Override
  public Vnode acquire(int fd, int notes) throws KQueueException {
    VnodeState state;
    try {
      state = stat(fd);
    } catch (NoSuchFileException e) {
      throw new KQueueException("kevent", Errno.EBADF, "descriptor " + fd + " is not open", e);
    } catch (IOException | RuntimeException e) {
      throw new KQueueException("kevent", Errno.EIO,
          "EVFILT_VNODE: cannot stat descriptor " + fd + ": " + e, e);
    }
    int type = state.mode() & 0170000;
    if (type == 0140000 || type == 0010000) {
      throw new KQueueException("kevent", Errno.EINVAL,
          "EVFILT_VNODE on descriptor " + fd + ": a socket or pipe is not a file system object");
    }
    synchronized (lock) {
      Key key = new Key(state.dev(), state.ino());
      PolledVnode vnode = byKey.get(key);
      if (vnode == null) {
        vnode = new PolledVnode(key, state);
        byKey.put(key, vnode);
      }
      vnode.fds.add(fd);
      vnode.counts.add(notes);
      if (timer == null) {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
          Thread thread = new Thread(r, "kqueue4j-vnode-poll");
          thread.setDaemon(true);
          return thread;
        });
        t.setRemoveOnCancelPolicy(true);
        t.scheduleWithFixedDelay(this::pollRound, interval.toNanos(), interval.toNanos(),
            TimeUnit.NANOSECONDS);
        timer = t;
      }
      return vnode;
    }
  }

  /**
   * Polls every watched object now, in the caller's thread, as the polling thread does every
   * interval; when it returns, every change made before the call has been posted. For tests, and
   * for programs that know that a change just happened.
   */
  public void pollNow() {
    pollAll();
  }

  /**
   * The polling thread's round. Nothing may escape it: the executor would cancel the schedule
   * without a word, and every watched object would go unpolled.
   */
  private void pollRound() {
    try {
      pollAll();
    } catch (RuntimeException | Error e) {
      LOG.log(Level.ERROR, "EVFILT_VNODE polling round failed", e);
    }
  }

  /**
   * One round: every object once, posting outside {@link #lock}. What one object's poll throws
   * (a filter's {@code Error}, say) is logged at {@code ERROR} and the round goes on.
   */
  private void pollAll() {
    synchronized (pollLock) {
      List<PolledVnode> all;
      synchronized (lock) {
        all = new ArrayList<>(byKey.values());
      }
      for (PolledVnode vnode : all) {
        try {
          vnode.poll();
        } catch (RuntimeException | Error e) {
          LOG.log(Level.ERROR, "EVFILT_VNODE polling failed", e);
        }
      }
    }
  }

  private VnodeState stat(int fd) throws IOException {
    if (fdDirectory == null) {
      throw new IOException("no descriptor directory");
    }
    Path link = fdDirectory.resolve(Integer.toString(fd));
    Map<String, Object> a = Files.readAttributes(link, ATTRIBUTES);
    return new VnodeState(((Number) a.get("dev")).longValue(), ((Number) a.get("ino")).longValue(),
        (Integer) a.get("mode"), (Integer) a.get("nlink"), (Integer) a.get("uid"),
        (Integer) a.get("gid"), (Long) a.get("size"), nanos(a.get("lastModifiedTime")),
        nanos(a.get("ctime")), location(link));
  }

  /** The object's name and parent directory, from the descriptor's link, or null. */
  private static String location(Path link) {
    try {
      Path target = Files.readSymbolicLink(link);
      if (!target.isAbsolute() || target.toString().endsWith(" (deleted)")
          || target.getParent() == null || target.getFileName() == null) {
        return null;
      }
      Map<String, Object> parent = Files.readAttributes(target.getParent(), "unix:dev,ino");
      return VnodeState.location(((Number) parent.get("dev")).longValue(),
          ((Number) parent.get("ino")).longValue(), target.getFileName().toString());
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static long nanos(Object time) {
    return ((FileTime) time).to(TimeUnit.NANOSECONDS);
  }

  private static Path findFdDirectory() {
    for (String candidate : new String[] {"/proc/self/fd", "/dev/fd"}) {
      Path dir = Path.of(candidate);
      if (Files.isDirectory(dir)) {
        return dir;
      }
    }
    return null;
  }

  private record Key(long dev, long ino) {}

  /** One polled object and the descriptors it is reachable through. */
  private final class PolledVnode extends Vnode {
    final Key key;
    /** Guarded by {@link #lock}; one entry per knote. */
    final List<Integer> fds = new ArrayList<>();
    /** Guarded by {@link #lock}. */
    final NoteCounts counts = new NoteCounts();
    /** Written by rounds only, which {@link #pollLock} serializes. */
    VnodeState state;

    PolledVnode(Key key, VnodeState state) {
      this.key = key;
      this.state = state;
    }

    void poll() {
      int[] candidates;
      synchronized (lock) {
        if (byKey.get(key) != this || isRevoked()) {
          return;
        }
        candidates = fds.stream().distinct().mapToInt(Integer::intValue).toArray();
      }
      VnodeState now = null;
      for (int fd : candidates) {
        try {
          VnodeState s = stat(fd);
          if (s.dev() == key.dev && s.ino() == key.ino) {
            now = s;
            break;
          }
        } catch (IOException | RuntimeException e) {
          // closed behind the kernel's back: try the next descriptor
        }
      }
      if (now == null) {
        revoke();
        return;
      }
      int notes = now.notesSince(state);
      state = now;
      post(notes);
    }

    @Override
    public void changeInterest(int before, int after) {
      synchronized (lock) {
        counts.remove(before);
        counts.add(after);
      }
    }

    @Override
    public void release(int fd, int notes) {
      synchronized (lock) {
        fds.remove(Integer.valueOf(fd));
        counts.remove(notes);
        if (fds.isEmpty() && byKey.get(key) == this) {
          byKey.remove(key);
          if (byKey.isEmpty() && timer != null) {
            timer.shutdownNow();
            timer = null;
          }
        }
      }
    }

    @Override
    public String toString() {
      return "PolledVnode[dev=" + key.dev + ", ino=" + key.ino + "]";
    }
  }
}
