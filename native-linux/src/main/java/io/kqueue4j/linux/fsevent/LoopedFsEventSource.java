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
import java.util.Set;

/**
 * What the Linux sources share: each watcher is an {@link FsEventTree} served by one {@link
 * FsEventLoop} per source, opened on the first watcher, and each needs epoll, eventfd and {@code
 * stat} besides its own notification API. Name, priority and types are fixed per source.
 *
 * <p>Threads: {@link #start} may be called from any thread; the loop is created once.
 */
abstract class LoopedFsEventSource implements FsEventSource {

  private final String kind;
  private final String name;
  private final int priority;
  private final Set<FsEventType> supported;
  private final Object lock = new Object();
  private FsEventLoop loop;

  /**
   * @param kind what the trees read ({@code "inotify"}, {@code "fanotify"}), naming the loop thread
   * @param name the source's {@link #name()}
   * @param priority the source's {@link #priority()}
   * @param supported the types it reports
   */
  LoopedFsEventSource(String kind, String name, int priority, Set<FsEventType> supported) {
    this.kind = kind;
    this.name = name;
    this.priority = priority;
    this.supported = Set.copyOf(supported);
  }

  /**
   * The source's own notification API, checked before epoll, eventfd and {@code stat}.
   *
   * @return why that API cannot be used here, or null when it can
   */
  abstract Throwable notifierUnavailabilityCause();

  /**
   * A new watcher, not yet started.
   *
   * @param spec what to watch
   * @param sink where its records go
   * @param loop the thread that will serve it
   * @return the watcher, its descriptor open
   * @throws IOException when its descriptor cannot be opened
   */
  abstract FsEventTree<?> newTree(FsWatchSpec spec, FsEventSink sink, FsEventLoop loop)
      throws IOException;

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final int priority() {
    return priority;
  }

  @Override
  public final Set<FsEventType> supportedTypes() {
    return supported;
  }

  @Override
  public final Throwable unavailabilityCause() {
    Throwable why = notifierUnavailabilityCause();
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
  public final FsWatch start(FsWatchSpec spec, FsEventSink sink) throws IOException {
    FsEventTree<?> tree = newTree(spec, sink, loop());
    tree.start();
    return tree;
  }

  private FsEventLoop loop() throws IOException {
    synchronized (lock) {
      if (loop == null) {
        loop = new FsEventLoop(kind);
      }
      return loop;
    }
  }
}
