package io.kqueue4j.linux.fsevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.filters.fsevent.FsEvent;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatcher;
import io.kqueue4j.linux.Inotify;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Watchers on overlapping trees are independent: each reports relative to its own root. */
@EnabledOnOs(OS.LINUX)
class FsEventManyWatchersTest {
  @TempDir Path top;

  @Test
  void overlappingTreesEachSeeTheirPart() throws Exception {
    assumeTrue(Inotify.isAvailable(), "inotify");
    Path a = Files.createDirectories(top.resolve("a"));
    Path b = Files.createDirectories(a.resolve("b"));
    Path c = Files.createDirectories(b.resolve("c"));
    Path[] roots = {top, a, b, c};
    List<FsWatcher> watchers = new ArrayList<>();
    List<FsEventRecorder> recs = new ArrayList<>();
    try {
      for (int i = 0; i < 12; i++) {
        FsWatcher w = FsWatcher.builder().root(roots[i % 4]).build();
        watchers.add(w);
        recs.add(new FsEventRecorder(w));
      }
      Files.writeString(c.resolve("deep"), "x");
      Files.writeString(a.resolve("mid"), "x");
      for (int i = 0; i < 12; i++) {
        Path root = roots[i % 4];
        FsEventRecorder r = recs.get(i);
        FsEvent deep = r.await(FsEventType.CREATE_FILE, root.relativize(c.resolve("deep")).toString());
        assertEquals(c.resolve("deep"), deep.absolutePath());
        if (i % 4 <= 1) {
          assertNotNull(r.await(FsEventType.CREATE_FILE, root.relativize(a.resolve("mid")).toString()));
        }
      }
      // closing some leaves the others working
      for (int i = 0; i < 12; i += 2) {
        watchers.get(i).close();
      }
      Files.writeString(c.resolve("second"), "x");
      for (int i = 1; i < 12; i += 2) {
        Path root = roots[i % 4];
        recs.get(i).await(FsEventType.CREATE_FILE, root.relativize(c.resolve("second")).toString());
      }
      for (int i = 0; i < 12; i += 2) {
        assertNull(watchers.get(i).poll());
      }
      // a rename seen from a watcher whose root is the moved directory's parent, and one below
      Files.move(c, b.resolve("c2"));
      recs.get(1).await(FsEventType.RENAME, "b/c");
      recs.get(3).await(FsEventType.DELETE, ""); // c's own watcher: its root moved away
    } finally {
      watchers.forEach(FsWatcher::close);
    }
  }
}
