package io.kqueue4j.linux.fsevent;

import io.kqueue4j.filters.fsevent.FsEventSink;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatchSpec;
import io.kqueue4j.linux.Inotify;
import java.io.IOException;
import java.util.EnumSet;

/**
 * {@code "linux-inotify"}: the Linux source of {@link io.kqueue4j.filters.fsevent.FsWatcher}s. One
 * inotify instance per watcher (so one watcher's overflow is its own, and closing it frees its
 * watches at once), a watch per directory, and one thread for all of them ({@link FsEventLoop}).
 *
 * <p>Each watcher costs one instance of {@code fs.inotify.max_user_instances} (128 here) and one
 * watch of {@code fs.inotify.max_user_watches} per directory; overlapping watchers each pay for
 * the directories they share. See {@link InotifyTree} for how events are derived.
 */
public final class InotifyFsEventSource extends LoopedFsEventSource {

  /** The name that picks this source: {@value}. */
  public static final String NAME = "linux-inotify";

  /** Creates the source; its thread starts with the first watcher. */
  public InotifyFsEventSource() {
    super(
        "inotify",
        NAME,
        100,
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
  }

  @Override
  Throwable notifierUnavailabilityCause() {
    return Inotify.unavailabilityCause();
  }

  @Override
  FsEventTree<?> newTree(FsWatchSpec spec, FsEventSink sink, FsEventLoop loop) throws IOException {
    return new InotifyTree(spec, sink, loop);
  }
}
