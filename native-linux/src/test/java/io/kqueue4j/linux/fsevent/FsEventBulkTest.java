package io.kqueue4j.linux.fsevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.filters.fsevent.FsEvent;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatcher;
import io.kqueue4j.linux.Inotify;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bulk creation of 10,000 files: every file is accounted for, by an event or by a drop marker
 * whose count closes the gap exactly.
 */
@EnabledOnOs(OS.LINUX)
class FsEventBulkTest {
  static final int FILES = 10_000;

  @TempDir Path root;

  private static void create(Path dir, int n) throws IOException {
    for (int i = 0; i < n; i++) {
      Files.createFile(dir.resolve("f" + i));
    }
  }

  @Test
  void aReaderThatKeepsUpSeesEveryFile() throws Exception {
    assumeTrue(Inotify.isAvailable(), "inotify");
    try (FsWatcher w = FsWatcher.builder().root(root).types(FsEventType.CREATE_FILE)
        .queueCapacity(FILES * 2).build()) {
      Set<String> seen = new HashSet<>();
      AtomicBoolean markers = new AtomicBoolean();
      Thread writer = new Thread(() -> {
        try {
          create(root, FILES);
        } catch (IOException e) {
          throw new AssertionError(e);
        }
      });
      writer.start();
      long deadline = System.nanoTime() + FsEventRecorder.TIMEOUT.toNanos();
      while (seen.size() < FILES && System.nanoTime() < deadline) {
        for (FsEvent e : w.read(1024, java.time.Duration.ofSeconds(1))) {
          if (e.type() == FsEventType.EVENTS_DROPPED) {
            markers.set(true);
          } else {
            seen.add(e.path().toString());
          }
        }
      }
      writer.join();
      assertTrue(!markers.get(), "no loss with a queue twice the burst");
      assertEquals(FILES, seen.size());
      assertEquals(0, w.droppedEvents());
    }
  }

  @Test
  void aDefaultQueueNotReadAccountsForEveryFileWithMarkers() throws Exception {
    assumeTrue(Inotify.isAvailable(), "inotify");
    try (FsWatcher w = FsWatcher.builder().root(root).types(FsEventType.CREATE_FILE).build()) {
      assertEquals(4096, w.queueCapacity());
      create(root, FILES);
      org.awaitility.Awaitility.await().atMost(FsEventRecorder.TIMEOUT)
          .until(() -> w.currentEventId() > 0 && w.pending() == 4097);
      // all 10,000 offered: 4096 queued, the rest lost and reported by one marker at the gap
      Files.createFile(root.resolve("after"));
      org.awaitility.Awaitility.await().atMost(FsEventRecorder.TIMEOUT)
          .until(() -> w.droppedEvents() == FILES + 1 - 4096);
      Set<String> named = new HashSet<>();
      long droppedReported = 0;
      int markers = 0;
      int markerIndex = -1;
      int i = 0;
      for (FsEvent e; (e = w.poll()) != null; i++) {
        if (e.type() == FsEventType.EVENTS_DROPPED) {
          droppedReported += e.droppedCount();
          markers++;
          markerIndex = i;
        } else {
          named.add(e.path().toString());
        }
      }
      assertEquals(1, markers);
      assertEquals(4096, markerIndex, "the marker sits at the gap, after what was queued");
      assertEquals(FILES + 1, named.size() + droppedReported);
      // the reader's rescan after the marker finds the rest
      try (Stream<Path> s = Files.list(root)) {
        Set<String> all = s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        all.removeAll(named);
        assertEquals(droppedReported, all.size());
      }
    }
  }

  @Test
  void everyFileInTwoHundredDirectoriesCreatedAtOnce() throws Exception {
    assumeTrue(Inotify.isAvailable(), "inotify");
    try (FsWatcher w = FsWatcher.builder().root(root).queueCapacity(1 << 16).build()) {
      FsEventRecorder rec = new FsEventRecorder(w);
      Set<String> expected = new HashSet<>();
      for (int d = 0; d < 200; d++) {
        Path dir = Files.createDirectories(root.resolve("d" + d / 20 + "/e" + d));
        for (int f = 0; f < FILES / 200; f++) {
          Files.createFile(dir.resolve("f" + f));
          expected.add("d" + d / 20 + "/e" + d + "/f" + f);
        }
      }
      List<FsEvent> all = rec.until(l -> l.stream()
          .filter(e -> e.type() == FsEventType.CREATE_FILE)
          .map(e -> e.path().toString()).collect(Collectors.toSet()).containsAll(expected));
      assertTrue(all.stream().noneMatch(e -> e.type() == FsEventType.EVENTS_DROPPED));
    }
  }
}
