package io.kqueue4j.filters.fsevent;

import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/** A source driven by the test: it keeps the sink of the last watcher started. Never chosen. */
public final class ManualFsEventSource implements FsEventSource {
  public static final String NAME = "test-manual";
  static final AtomicReference<FsEventSink> LAST = new AtomicReference<>();
  static final AtomicReference<Boolean> CLOSED = new AtomicReference<>(false);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return -1000;
  }

  @Override
  public Throwable unavailabilityCause() {
    return null;
  }

  @Override
  public Set<FsEventType> supportedTypes() {
    return FsEventType.all();
  }

  @Override
  public FsWatch start(FsWatchSpec spec, FsEventSink sink) {
    LAST.set(sink);
    CLOSED.set(false);
    spec.progress().progress(1, 0, 0, true);
    return new FsWatch() {
      @Override
      public long watchedDirectories() {
        return 1;
      }

      @Override
      public void close() {
        CLOSED.set(true);
      }
    };
  }
}
