package io.kqueue4j.linux.fsevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.filters.fsevent.FsEvent;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatcher;
import io.kqueue4j.linux.Inotify;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

/** Trees that grow while the watcher starts, and several mkdir -p writers at once. */
@EnabledOnOs(OS.LINUX)
class FsEventRaceTest {
  @TempDir Path root;

  @Test
  void directoriesMadeDuringStartUpAreWatched() throws Exception {
    assumeTrue(Inotify.isAvailable(), "inotify");
    for (int i = 0; i < 40; i++) {
      for (int j = 0; j < 50; j++) {
        Files.createDirectories(root.resolve("t" + i + "/u" + j));
      }
    }
    AtomicBoolean stop = new AtomicBoolean();
    Thread grower = new Thread(() -> {
      int k = 0;
      while (!stop.get() && k < 1200) {
        try {
          Files.createDirectories(root.resolve("t" + (k % 40) + "/new" + k + "/x/y"));
        } catch (IOException e) {
          throw new AssertionError(e);
        }
        k++;
      }
    });
    grower.start();
    try (FsWatcher w = FsWatcher.builder().root(root).queueCapacity(1 << 18).build()) {
      stop.set(true);
      grower.join();
      List<Path> dirs;
      try (Stream<Path> s = Files.walk(root)) {
        dirs = s.filter(Files::isDirectory).collect(Collectors.toList());
      }
      org.awaitility.Awaitility.await().atMost(FsEventRecorder.TIMEOUT)
          .until(() -> w.watchedDirectories() == dirs.size());
      FsEventRecorder rec = new FsEventRecorder(w);
      Set<String> expected = new HashSet<>();
      for (Path d : dirs) {
        Path f = d.resolve("probe");
        Files.createFile(f);
        expected.add(root.relativize(f).toString());
      }
      rec.until(l -> l.stream().filter(e -> e.type() == FsEventType.CREATE_FILE)
          .map(e -> e.path().toString()).collect(Collectors.toSet()).containsAll(expected));
    }
  }

  @Test
  void concurrentMkdirPWritersAreAllSeen() throws Exception {
    assumeTrue(Inotify.isAvailable(), "inotify");
    try (FsWatcher w = FsWatcher.builder().root(root).queueCapacity(1 << 18).build()) {
      FsEventRecorder rec = new FsEventRecorder(w);
      List<Thread> threads = new ArrayList<>();
      Set<String> expected = java.util.concurrent.ConcurrentHashMap.newKeySet();
      for (int t = 0; t < 4; t++) {
        int id = t;
        threads.add(new Thread(() -> {
          try {
            for (int i = 0; i < 50; i++) {
              String rel = "shared/w" + id + "/i" + i + "/a/b/c";
              Files.createDirectories(root.resolve(rel));
              Files.createFile(root.resolve(rel + "/f"));
              expected.add(rel);
              expected.add(rel + "/f");
              expected.add("shared/w" + id + "/i" + i);
            }
          } catch (IOException e) {
            throw new AssertionError(e);
          }
        }));
      }
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join();
      }
      rec.until(l -> l.stream()
          .filter(e -> e.type() == FsEventType.CREATE_FILE || e.type() == FsEventType.CREATE_DIR)
          .map(e -> e.path().toString()).collect(Collectors.toSet()).containsAll(expected));
      List<String> creates = rec.drain().stream()
          .filter(e -> e.type() == FsEventType.CREATE_FILE || e.type() == FsEventType.CREATE_DIR)
          .map(e -> e.path().toString()).collect(Collectors.toList());
      assertEquals(creates.size(), new HashSet<>(creates).size(), "no duplicates");
      assertEquals(0, rec.drain().stream()
          .filter(e -> e.type() == FsEventType.EVENTS_DROPPED).count());
      for (FsEvent e : rec.drain()) {
        assertEquals(root, e.root());
      }
    }
  }
}
