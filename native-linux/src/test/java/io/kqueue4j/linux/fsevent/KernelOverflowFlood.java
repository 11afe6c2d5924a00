package io.kqueue4j.linux.fsevent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatcher;
import io.kqueue4j.filters.fsevent.StartupProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Overflows a starting watcher's kernel queue (16,384 events): given as the watcher's {@link
 * StartupProgress}, it holds the starting thread in the final callback while a second thread
 * creates 20,000 files below the root and then the directory {@code made/during}.
 */
final class KernelOverflowFlood implements StartupProgress {
  private final CountDownLatch inCallback = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final Path root;
  private final Thread flood = new Thread(this::flood);

  /** Starts the flooding thread; it waits for the final progress callback. */
  KernelOverflowFlood(Path root) {
    this.root = root;
    flood.start();
  }

  private void flood() {
    try {
      inCallback.await();
      for (int i = 0; i < 20_000; i++) {
        Files.createFile(root.resolve("f" + i));
      }
      Files.createDirectories(root.resolve("made/during"));
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      release.countDown();
    }
  }

  @Override
  public void progress(long directories, long entries, long elapsedNanos, boolean done) {
    if (done) {
      inCallback.countDown();
      try {
        assertTrue(release.await(60, TimeUnit.SECONDS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Asserts what users rely on after an overflow: a drop marker comes, the tree is found again so
   * that {@code made/during} is watched, and a file created in it is reported.
   */
  void assertRecovered(FsWatcher watcher, FsEventRecorder rec) throws Exception {
    rec.until(l -> l.stream().anyMatch(e -> e.type() == FsEventType.EVENTS_DROPPED));
    assertTrue(watcher.droppedEvents() >= 1);
    org.awaitility.Awaitility.await().atMost(FsEventRecorder.TIMEOUT)
        .until(() -> watcher.watchedDirectories() == 3);
    Files.createFile(root.resolve("made/during/after"));
    rec.await(FsEventType.CREATE_FILE, "made/during/after");
    flood.join();
  }
}
