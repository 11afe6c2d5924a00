package io.kqueue4j.filters.fsevent;

import java.io.IOException;
import java.util.Set;

/**
 * Service interface of the sources behind {@link FsWatcher}, found with {@link
 * java.util.ServiceLoader}: module {@code native-linux} provides one over inotify ({@code
 * "linux-inotify"}) and one over fanotify with filesystem-wide marks ({@code "linux-fanotify"},
 * used only when a watcher asks for it by name); this module provides the portable fallback over
 * the JDK {@code WatchService} ({@code "portable-watchservice"}). {@link FsEventSources#active()}
 * picks the one in use by default.
 *
 * <p>A source watches each root recursively and reports through the {@link FsEventSink} it is
 * given: every change below a root that the sink {@link FsEventSink#wants wants}, each as one call,
 * or a {@link FsEventSink#dropped} when it lost track. Implementations are thread-safe and run a
 * handful of threads at most, whatever the number of watchers and directories.
 */
public interface FsEventSource {

  /**
   * A short name for diagnostics, such as {@code "linux-inotify"}.
   *
   * @return the source's name, also what a watcher names to ask for this source
   */
  String name();

  /**
   * Higher wins when several sources are available.
   *
   * @return this source's rank
   */
  int priority();

  /**
   * Why this source cannot run here, or {@code null} when it can. Must not throw. A {@link
   * io.kqueue4j.KQueueException} lends its errno to the exception a watcher that asked for this
   * source by name fails with ({@link FsEventSources#require}).
   *
   * @return the cause, or {@code null} when the source is available
   */
  Throwable unavailabilityCause();

  /**
   * The types this source can produce (besides {@link FsEventType#EVENTS_DROPPED}).
   *
   * @return the types this source can report
   */
  Set<FsEventType> supportedTypes();

  /**
   * Starts watching the roots of {@code spec}, which exist and are directories (the watcher checked),
   * and returns once every directory below them is watched: from then on no change is missed.
   * Reports start-up progress to {@link FsWatchSpec#progress()} on the calling thread.
   *
   * @param spec the roots and options of the watcher
   * @param sink where the source reports the watcher's events
   * @return the running watch, closed to stop it
   * @throws IOException when a root cannot be watched, or an OS limit (such as {@code
   *     fs.inotify.max_user_watches}) is reached; nothing stays watched then
   */
  FsWatch start(FsWatchSpec spec, FsEventSink sink) throws IOException;
}
