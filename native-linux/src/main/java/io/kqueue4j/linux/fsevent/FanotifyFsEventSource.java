package io.kqueue4j.linux.fsevent;

import io.kqueue4j.filters.fsevent.FsEventSink;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatchSpec;
import java.io.IOException;
import java.util.EnumSet;

/**
 * {@code "linux-fanotify"}: a Linux source of {@link io.kqueue4j.filters.fsevent.FsWatcher}s over
 * fanotify with filesystem-wide marks, chosen by name ({@code FsWatcher.builder().source(NAME)});
 * it needs {@code CAP_SYS_ADMIN} and Linux 5.9. One fanotify group per watcher, marks on the file
 * systems its roots span, and one thread for all of them ({@link FsEventLoop}). Start-up lists
 * the directories once instead of adding a watch to each; see {@link FanotifyTree}.
 *
 * <p>Attribute changes come as {@link FsEventType#STAT_CHANGED} only: no attributes are kept per
 * file to tell a {@code chown} from a {@code touch}. System property {@value #RENAME_PROPERTY} =
 * {@code false} makes new watchers use {@code FAN_MOVED_FROM}/{@code FAN_MOVED_TO} pairs even where
 * {@code FAN_RENAME} (Linux 5.17) exists.
 */
public final class FanotifyFsEventSource extends LoopedFsEventSource {

  /** The name that picks this source: {@value}. */
  public static final String NAME = "linux-fanotify";

  /** {@code "io.kqueue4j.fanotify.renameEvents"}: whether to use {@code FAN_RENAME}. */
  public static final String RENAME_PROPERTY = "io.kqueue4j.fanotify.renameEvents";

  /**
   * Creates the source; its thread starts with the first watcher. Its priority is below inotify's:
   * fanotify is used when asked for by name.
   */
  public FanotifyFsEventSource() {
    super(
        "fanotify",
        NAME,
        50,
        EnumSet.of(
            FsEventType.CREATE_FILE,
            FsEventType.CREATE_DIR,
            FsEventType.DELETE,
            FsEventType.RENAME,
            FsEventType.CONTENT_MODIFIED,
            FsEventType.STAT_CHANGED));
  }

  @Override
  Throwable notifierUnavailabilityCause() {
    return FanotifyGroup.unavailabilityCause();
  }

  @Override
  FsEventTree<?> newTree(FsWatchSpec spec, FsEventSink sink, FsEventLoop loop) throws IOException {
    boolean rename = !"false".equals(System.getProperty(RENAME_PROPERTY));
    return new FanotifyTree(spec, sink, loop, rename);
  }
}
