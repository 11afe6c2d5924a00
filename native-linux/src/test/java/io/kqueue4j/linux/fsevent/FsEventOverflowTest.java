package io.kqueue4j.linux.fsevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.filters.fsevent.FsEvent;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatcher;
import io.kqueue4j.linux.Inotify;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Losses: a tiny queue, and the kernel's own IN_Q_OVERFLOW. */
@EnabledOnOs(OS.LINUX)
class FsEventOverflowTest {
  @TempDir Path root;

  @Test
  void tinyQueueDropsAndSaysSoAtTheGap() throws Exception {
    assumeTrue(Inotify.isAvailable(), "inotify");
    try (FsWatcher w = FsWatcher.builder().root(root).types(FsEventType.CREATE_FILE)
        .queueCapacity(4).build()) {
      for (int i = 0; i < 100; i++) {
        Files.createFile(root.resolve("f" + i));
      }
      org.awaitility.Awaitility.await().atMost(FsEventRecorder.TIMEOUT)
          .until(() -> w.droppedEvents() == 96);
      assertEquals(5, w.pending(), "4 queued + the marker");
      for (int i = 0; i < 4; i++) {
        assertEquals(Path.of("f" + i), w.poll().path());
      }
      FsEvent marker = w.poll();
      assertEquals(FsEventType.EVENTS_DROPPED, marker.type());
      assertEquals(FsEvent.DROPPED, marker.flags() & FsEvent.DROPPED);
      assertEquals(96, marker.droppedCount());
      assertNull(marker.path());
      assertNull(w.poll());
      Files.createFile(root.resolve("later"));
      FsEvent later = w.read(FsEventRecorder.TIMEOUT);
      assertEquals(Path.of("later"), later.path(), "recovers after the gap");
      assertTrue(later.eventId() > marker.eventId());
    }
  }

  @Test
  void aGapWhileQueuedEventsWaitIsMarkedBeforeTheNextEvent() throws Exception {
    assumeTrue(Inotify.isAvailable(), "inotify");
    try (FsWatcher w = FsWatcher.builder().root(root).types(FsEventType.CREATE_FILE)
        .queueCapacity(2).build()) {
      for (String n : new String[] {"a", "b", "c"}) {
        Files.createFile(root.resolve(n));
      }
      org.awaitility.Awaitility.await().atMost(FsEventRecorder.TIMEOUT)
          .until(() -> w.droppedEvents() == 1);
      assertEquals(Path.of("a"), w.poll().path());
      assertEquals(Path.of("b"), w.poll().path());
      Files.createFile(root.resolve("d")); // the producer claims the loss: marker first, then d
      org.awaitility.Awaitility.await().atMost(FsEventRecorder.TIMEOUT)
          .until(() -> w.pending() == 2);
      FsEvent marker = w.poll();
      assertEquals(FsEventType.EVENTS_DROPPED, marker.type());
      assertEquals(1, marker.droppedCount());
      assertEquals(Path.of("d"), w.poll().path());
      assertNull(w.poll());
    }
  }

  /**
   * Holds the source in the start-up progress callback while 20,000 events pile up: the kernel
   * queue (16,384) overflows, the watcher reports a marker and rescans, and a directory made during
   * the overflow is watched afterwards.
   */
  @Test
  void kernelOverflowIsAMarkerAndTheTreeIsRescanned() throws Exception {
    assumeTrue(Inotify.isAvailable(), "inotify");
    KernelOverflowFlood flood = new KernelOverflowFlood(root);
    try (FsWatcher w = FsWatcher.builder().root(root).queueCapacity(1 << 16).progress(flood)
        .build()) {
      flood.assertRecovered(w, new FsEventRecorder(w));
    }
  }
}
