package io.kqueue4j.linux.fsevent;

import io.kqueue4j.filters.fsevent.FsEventSink;
import io.kqueue4j.filters.fsevent.FsEventSource;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatch;
import io.kqueue4j.filters.fsevent.FsWatchSpec;
import io.kqueue4j.linux.Epoll;
import io.kqueue4j.linux.EventFd;
import io.kqueue4j.linux.Inotify;
import io.kqueue4j.linux.Stat;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Set;

/**
 * {@code "linux-inotify"}: the Linux source of {@link io.kqueue4j.filters.fsevent.FsWatcher}s. One
 * inotify instance per watcher (so one watcher's overflow is its own, and closing it frees its
 * watches at once), a watch per directory, and one thread for all of them ({@link InotifyLoop}).
 *
 * <p>Each watcher costs one instance of {@code fs.inotify.max_user_instances} (128 here) and one
 * watch of {@code fs.inotify.max_user_watches} per directory; overlapping watchers each pay for
 * the directories they share. See {@link InotifyTree} for how events are derived.
 */
public final class InotifyFsEventSource implements FsEventSource {

  public static final String NAME = "linux-inotify";

  private static final Set<FsEventType> SUPPORTED =
      Set.copyOf(
          EnumSet.of(
              FsEventType.CREATE_FILE,
              FsEventType.CREATE_DIR,
              FsEventType.DELETE,
              FsEventType.RENAME,
              FsEventType.CONTENT_MODIFIED,
              FsEventType.STAT_CHANGED,
              FsEventType.CHOWN,
              FsEventType.XATTR_MODIFIED,
              FsEventType.XATTR_REMOVED));

  private final Object lock = new Object();
  private InotifyLoop loop;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return 100;
  }

  @Override
  public Throwable unavailabilityCause() {
    Throwable why = Inotify.unavailabilityCause();
    if (why == null) {
      why = Epoll.unavailabilityCause();
    }
    if (why == null) {
      why = EventFd.unavailabilityCause();
    }
    if (why == null) {
      why = Stat.unavailabilityCause();
    }
    return why;
  }

  @Override
  public Set<FsEventType> supportedTypes() {
    return SUPPORTED;
  }

  @Override
  public FsWatch start(FsWatchSpec spec, FsEventSink sink) throws IOException {
    InotifyTree tree = new InotifyTree(spec, sink, loop());
    tree.start();
    return tree;
  }

  private InotifyLoop loop() throws IOException {
    synchronized (lock) {
      if (loop == null) {
        loop = new InotifyLoop();
      }
      return loop;
    }
  }
}
