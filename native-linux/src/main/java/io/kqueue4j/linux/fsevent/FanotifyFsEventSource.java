package io.kqueue4j.linux.fsevent;

import io.kqueue4j.filters.fsevent.FsEventSink;
import io.kqueue4j.filters.fsevent.FsEventSource;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatch;
import io.kqueue4j.filters.fsevent.FsWatchSpec;
import io.kqueue4j.linux.Epoll;
import io.kqueue4j.linux.EventFd;
import io.kqueue4j.linux.Stat;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Set;

/**
 * {@code "linux-fanotify"}: a Linux source of {@link io.kqueue4j.filters.fsevent.FsWatcher}s over
 * fanotify with filesystem-wide marks, chosen by name ({@code FsWatcher.builder().source(NAME)});
 * it needs {@code CAP_SYS_ADMIN} and Linux 5.9. One fanotify group per watcher, marks on the file
 * systems its roots span, and one thread for all of them ({@link FanotifyLoop}). Start-up lists
 * the directories once instead of adding a watch to each; see {@link FanotifyTree}.
 *
 * <p>Attribute changes come as {@link FsEventType#STAT_CHANGED} only: no attributes are kept per
 * file to tell a {@code chown} from a {@code touch}. System property {@value #RENAME_PROPERTY} =
 * {@code false} makes new watchers use {@code FAN_MOVED_FROM}/{@code FAN_MOVED_TO} pairs even where
 * {@code FAN_RENAME} (Linux 5.17) exists.
 */
public final class FanotifyFsEventSource implements FsEventSource {

  public static final String NAME = "linux-fanotify";

  /** {@code "io.kqueue4j.fanotify.renameEvents"}: whether to use {@code FAN_RENAME}. */
  public static final String RENAME_PROPERTY = "io.kqueue4j.fanotify.renameEvents";

  private static final Set<FsEventType> SUPPORTED =
      Set.copyOf(
          EnumSet.of(
              FsEventType.CREATE_FILE,
              FsEventType.CREATE_DIR,
              FsEventType.DELETE,
              FsEventType.RENAME,
              FsEventType.CONTENT_MODIFIED,
              FsEventType.STAT_CHANGED));

  private final Object lock = new Object();
  private FanotifyLoop loop;

  @Override
  public String name() {
    return NAME;
  }

  /** Below inotify's: fanotify is used when asked for by name. */
  @Override
  public int priority() {
    return 50;
  }

  @Override
  public Throwable unavailabilityCause() {
    Throwable why = FanotifyGroup.unavailabilityCause();
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
    boolean rename = !"false".equals(System.getProperty(RENAME_PROPERTY));
    FanotifyTree tree = new FanotifyTree(spec, sink, loop(), rename);
    tree.start();
    return tree;
  }

  private FanotifyLoop loop() throws IOException {
    synchronized (lock) {
      if (loop == null) {
        loop = new FanotifyLoop();
      }
      return loop;
    }
  }
}
