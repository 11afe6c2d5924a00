package io.kqueue4j.linux.fsevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.fsevent.FsEvent;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatcher;
import io.kqueue4j.linux.FileStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Collects what a watcher reports and waits for expected records. */
final class FsEventRecorder {
  static final Duration TIMEOUT = Duration.ofSeconds(20);

  final FsWatcher watcher;
  final List<FsEvent> events = new ArrayList<>();

  FsEventRecorder(FsWatcher watcher) {
    this.watcher = watcher;
  }

  synchronized List<FsEvent> drain() {
    try {
      watcher.drainTo(events::add, Integer.MAX_VALUE);
    } catch (KQueueException e) {
      throw new AssertionError(e);
    }
    return events;
  }

  /** Waits until {@code condition} holds for everything read so far. */
  List<FsEvent> until(Predicate<List<FsEvent>> condition) {
    org.awaitility.Awaitility.await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(5))
        .pollDelay(Duration.ZERO)
        .until(() -> condition.test(drain()));
    return events;
  }

  /** Waits for a record of {@code type} on relative path {@code rel}. */
  FsEvent await(FsEventType type, String rel) {
    until(l -> find(type, rel) != null);
    return find(type, rel);
  }

  /**
   * Makes directory {@code name} in {@code dir} (a root) and waits for its {@link
   * FsEventType#CREATE_DIR} record, which must be flagged and typed as a directory.
   */
  FsEvent awaitNewDirectory(Path dir, String name) throws IOException {
    Files.createDirectory(dir.resolve(name));
    FsEvent e = await(FsEventType.CREATE_DIR, name);
    assertTrue(e.isDirectory(), e::toString);
    assertEquals(FileStat.S_IFDIR, e.mode() & FileStat.S_IFMT, e::toString);
    return e;
  }

  FsEvent find(FsEventType type, String rel) {
    for (FsEvent e : drain()) {
      if (e.type() == type && e.path() != null && e.path().equals(Path.of(rel))) {
        return e;
      }
    }
    return null;
  }

  /** Reads for {@code quiet} more and returns everything read. */
  List<FsEvent> settle(Duration quiet) throws InterruptedException {
    Thread.sleep(quiet.toMillis()); // waiting for the absence of events has no condition to poll
    return drain();
  }

  List<FsEvent> ofType(FsEventType type) {
    return drain().stream().filter(e -> e.type() == type).collect(Collectors.toList());
  }

  void clear() {
    drain();
    events.clear();
  }

  @Override
  public String toString() {
    return events.stream().map(FsEvent::toString).collect(Collectors.joining("\n  ", "\n  ", ""));
  }
}
