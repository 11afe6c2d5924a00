package io.kqueue4j.filters.fsevent;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import java.util.Set;

/** A source that can never run, as fanotify without {@code CAP_SYS_ADMIN}. Never chosen. */
public final class UnavailableFsEventSource implements FsEventSource {
  public static final String NAME = "test-unavailable";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return 10_000;
  }

  @Override
  public Throwable unavailabilityCause() {
    return new KQueueException("fanotify_mark", Errno.EPERM, "needs CAP_SYS_ADMIN");
  }

  @Override
  public Set<FsEventType> supportedTypes() {
    return FsEventType.all();
  }

  @Override
  public FsWatch start(FsWatchSpec spec, FsEventSink sink) {
    throw new AssertionError("an unavailable source was started");
  }
}
