package io.kqueue4j.filters.fsevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The portable source on real trees: creates (also inside new directories), deletes, revoke. */
class FsEventWatchServiceTest {
  @TempDir Path base;

  static boolean has(List<FsEvent> l, FsEventType t, String p) {
    return l.stream().anyMatch(e -> e.type() == t && Path.of(p).equals(e.path()));
  }

  static void until(FsWatcher w, List<FsEvent> seen, Predicate<List<FsEvent>> c) {
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(() -> {
      w.drainTo(seen::add, Integer.MAX_VALUE);
      return c.test(seen);
    });
  }

  @Test
  void portableSourceSeesTheTree() throws IOException {
    Path root = Files.createDirectory(base.resolve("root"));
    Files.createDirectories(root.resolve("old/sub"));
    try (FsWatcher w = FsWatcher.builder().root(root).source(WatchServiceFsEventSource.NAME)
        .build()) {
      assertEquals(WatchServiceFsEventSource.NAME, w.sourceName());
      assertEquals(3, w.watchedDirectories());
      List<FsEvent> seen = new ArrayList<>();
      Files.createDirectories(root.resolve("a/b/c"));
      Files.writeString(root.resolve("a/b/c/f"), "x");
      Files.writeString(root.resolve("old/sub/g"), "x");
      until(w, seen, l -> has(l, FsEventType.CREATE_DIR, "a")
          && has(l, FsEventType.CREATE_DIR, "a/b") && has(l, FsEventType.CREATE_DIR, "a/b/c")
          && has(l, FsEventType.CREATE_FILE, "a/b/c/f")
          && has(l, FsEventType.CREATE_FILE, "old/sub/g"));
      Files.delete(root.resolve("old/sub/g"));
      until(w, seen, l -> has(l, FsEventType.DELETE, "old/sub/g"));
      Files.delete(root.resolve("a/b/c/f"));
      Files.delete(root.resolve("a/b/c"));
      Files.delete(root.resolve("a/b"));
      Files.delete(root.resolve("a"));
      Files.delete(root.resolve("old/sub"));
      Files.delete(root.resolve("old"));
      Files.delete(root);
      until(w, seen, l -> w.isRevoked());
      assertTrue(has(seen, FsEventType.DELETE, "") || w.pending() > 0);
    }
  }
}
