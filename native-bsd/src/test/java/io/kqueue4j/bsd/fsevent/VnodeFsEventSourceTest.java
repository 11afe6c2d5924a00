package io.kqueue4j.bsd.fsevent;

import static io.kqueue4j.filters.fsevent.FsEventType.CHOWN;
import static io.kqueue4j.filters.fsevent.FsEventType.CONTENT_MODIFIED;
import static io.kqueue4j.filters.fsevent.FsEventType.CREATE_DIR;
import static io.kqueue4j.filters.fsevent.FsEventType.CREATE_FILE;
import static io.kqueue4j.filters.fsevent.FsEventType.DELETE;
import static io.kqueue4j.filters.fsevent.FsEventType.EVENTS_DROPPED;
import static io.kqueue4j.filters.fsevent.FsEventType.RENAME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KQueue;
import io.kqueue4j.filters.fsevent.FsEvent;
import io.kqueue4j.filters.fsevent.FsEventSource;
import io.kqueue4j.filters.fsevent.FsEventSources;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code kqueue-vnode} source over the emulated kqueue, on real directories: its {@code
 * EVFILT_VNODE} is inotify's here, through the descriptors of {@link FileDescriptors}. Every watcher
 * is built by name, as a user picks the source on Linux.
 */
class VnodeFsEventSourceTest {
  private static final Duration PATIENCE = Duration.ofSeconds(10);

  @TempDir Path dir;
  private final List<FsWatcher> watchers = new ArrayList<>();
  private final List<FsEvent> seen = new ArrayList<>();

  @BeforeAll
  static void needsVnodeDescriptors() {
    Throwable why = new VnodeFsEventSource(KQueue::emulated).unavailabilityCause();
    Assumptions.assumeTrue(why == null, () -> "EVFILT_VNODE cannot watch a directory with the "
        + "descriptors of FileDescriptors (support \"" + FileDescriptors.support()
        + "\"; module native-linux is needed on the test class path): " + why);
  }

  @AfterEach
  void closeWatchers() {
    watchers.forEach(FsWatcher::close);
  }

  private FsWatcher watch(Path root) throws IOException {
    FsWatcher w = FsWatcher.builder().root(root).source(VnodeFsEventSource.NAME)
        .coalescingWindow(Duration.ZERO).build();
    watchers.add(w);
    return w;
  }

  /** Reads until {@code done} holds for what was read so far; fails after {@link #PATIENCE}. */
  private List<FsEvent> until(FsWatcher w, Predicate<List<FsEvent>> done) throws IOException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!done.test(seen)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("not seen in " + PATIENCE + "; got " + describe(seen));
      }
      FsEvent e = w.read(Duration.ofNanos(left));
      if (e != null) {
        seen.add(e);
      }
    }
    return seen;
  }

  /** Reads what else comes within a short quiet period, after the expected events. */
  private List<FsEvent> settle(FsWatcher w) throws IOException {
    for (FsEvent e; (e = w.read(Duration.ofMillis(300))) != null; ) {
      seen.add(e);
    }
    return seen;
  }

  private static String describe(List<FsEvent> events) {
    return events.stream().map(VnodeFsEventSourceTest::describe).collect(Collectors.toList())
        .toString();
  }

  private static String describe(FsEvent e) {
    return e.type() + " " + e.path() + (e.destination() != null ? " -> " + e.destination() : "");
  }

  private static Predicate<List<FsEvent>> has(String... described) {
    return events -> {
      List<String> d = events.stream().map(VnodeFsEventSourceTest::describe).toList();
      return d.containsAll(List.of(described));
    };
  }

  private static long count(List<FsEvent> events, FsEventType type) {
    return events.stream().filter(e -> e.type() == type).count();
  }

  @Test
  void is_selectable_by_name_but_not_the_default_on_linux() {
    FsEventSource named = FsEventSources.all().stream()
        .filter(s -> s.name().equals(VnodeFsEventSource.NAME)).findFirst().orElseThrow();
    assertEquals(null, named.unavailabilityCause());
    assertEquals(VnodeFsEventSource.FALLBACK_PRIORITY, named.priority());
    assertFalse(FsEventSources.activeName().equals(VnodeFsEventSource.NAME),
        "kqueue-vnode must not displace " + FsEventSources.activeName() + " here");
  }

  @Test
  void creates_of_files_and_directories() throws Exception {
    FsWatcher w = watch(dir);
    assertEquals(VnodeFsEventSource.NAME, w.sourceName());
    Files.writeString(dir.resolve("f"), "x");
    Files.createDirectory(dir.resolve("d"));
    until(w, has("CREATE_FILE f", "CREATE_DIR d"));
    FsEvent d = seen.stream().filter(e -> e.type() == CREATE_DIR).findFirst().orElseThrow();
    assertTrue(d.isDirectory());
    assertEquals(Files.getAttribute(dir.resolve("d"), "unix:ino"), d.ino());
    Files.writeString(dir.resolve("d/g"), "y");
    until(w, has("CREATE_FILE d/g"));
    assertEquals(2, w.watchedDirectories());
  }

  @Test
  void deletes_of_files_and_directories() throws Exception {
    Files.writeString(dir.resolve("f"), "x");
    Files.createDirectories(dir.resolve("d/e"));
    Files.writeString(dir.resolve("d/e/g"), "y");
    FsWatcher w = watch(dir);
    Files.delete(dir.resolve("f"));
    until(w, has("DELETE f"));
    Files.delete(dir.resolve("d/e/g"));
    Files.delete(dir.resolve("d/e"));
    Files.delete(dir.resolve("d"));
    until(w, has("DELETE d/e/g", "DELETE d/e", "DELETE d"));
    FsEvent d = seen.stream().filter(e -> describe(e).equals("DELETE d")).findFirst().orElseThrow();
    assertTrue(d.isDirectory());
    settle(w);
    assertEquals(0, count(seen, CREATE_FILE) + count(seen, CREATE_DIR), describe(seen));
    assertEquals(1, w.watchedDirectories());
  }

  @Test
  void rename_within_a_directory_is_one_rename() throws Exception {
    Files.writeString(dir.resolve("a"), "x");
    Files.createDirectory(dir.resolve("da"));
    FsWatcher w = watch(dir);
    Files.move(dir.resolve("a"), dir.resolve("b"));
    Files.move(dir.resolve("da"), dir.resolve("db"));
    until(w, has("RENAME a -> b", "RENAME da -> db"));
    settle(w);
    assertEquals(0, count(seen, DELETE) + count(seen, CREATE_FILE) + count(seen, CREATE_DIR),
        describe(seen));
  }

  @Test
  void rename_over_an_existing_file_is_one_rename() throws Exception {
    Files.writeString(dir.resolve("a"), "new");
    Files.writeString(dir.resolve("b"), "old");
    FsWatcher w = watch(dir);
    Files.move(dir.resolve("a"), dir.resolve("b"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    until(w, has("RENAME a -> b"));
    settle(w);
    assertEquals(0, count(seen, DELETE), describe(seen));
  }

  @Test
  void rename_across_directories_keeps_the_subtree_watched() throws Exception {
    Files.createDirectories(dir.resolve("s1/sub"));
    Files.createDirectory(dir.resolve("s2"));
    Files.writeString(dir.resolve("s1/x"), "x");
    Files.writeString(dir.resolve("s1/sub/inner"), "i");
    FsWatcher w = watch(dir);
    Files.move(dir.resolve("s1/x"), dir.resolve("s2/y"));
    until(w, has("RENAME s1/x -> s2/y"));
    Files.move(dir.resolve("s1/sub"), dir.resolve("s2/sub"));
    until(w, has("RENAME s1/sub -> s2/sub"));
    Files.writeString(dir.resolve("s2/sub/later"), "l");
    Files.delete(dir.resolve("s2/sub/inner"));
    until(w, has("CREATE_FILE s2/sub/later", "DELETE s2/sub/inner"));
    settle(w);
    assertEquals(1, count(seen, DELETE), describe(seen));
    assertEquals(1, count(seen, CREATE_FILE), describe(seen));
  }

  @Test
  void mkdir_p_with_files_inside_reports_every_level() throws Exception {
    FsWatcher w = watch(dir);
    Files.createDirectories(dir.resolve("a/b/c"));
    Files.writeString(dir.resolve("a/b/c/f"), "x");
    Files.writeString(dir.resolve("a/b/g"), "y");
    until(w, has("CREATE_DIR a", "CREATE_DIR a/b", "CREATE_DIR a/b/c", "CREATE_FILE a/b/c/f",
        "CREATE_FILE a/b/g"));
    settle(w);
    assertEquals(3, count(seen, CREATE_DIR), describe(seen));
    assertEquals(2, count(seen, CREATE_FILE), describe(seen));
    assertEquals(4, w.watchedDirectories());
  }

  @Test
  void content_and_attribute_changes_of_files() throws Exception {
    Path f = Files.writeString(dir.resolve("f"), "x");
    FsWatcher w = watch(dir);
    Files.writeString(f, "more", StandardOpenOption.APPEND);
    until(w, has("CONTENT_MODIFIED f"));
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    until(w, events -> count(events, CHOWN) == 1);
    assertEquals(0, count(seen, CREATE_FILE), describe(seen));
  }

  @Test
  void removing_the_root_revokes_the_watcher() throws Exception {
    Path root = Files.createDirectory(dir.resolve("root"));
    Files.createDirectory(root.resolve("d"));
    Files.writeString(root.resolve("d/f"), "x");
    FsWatcher w = watch(root);
    Files.delete(root.resolve("d/f"));
    Files.delete(root.resolve("d"));
    Files.delete(root);
    until(w, has("DELETE "));
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!w.isRevoked() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertTrue(w.isRevoked());
    assertEquals(0, w.watchedDirectories());
  }

  @Test
  void many_files_are_all_reported() throws Exception {
    int n = 400;
    FsWatcher w = FsWatcher.builder().root(dir).source(VnodeFsEventSource.NAME)
        .coalescingWindow(Duration.ZERO).queueCapacity(4 * n).build();
    watchers.add(w);
    for (int i = 0; i < n; i++) {
      Files.writeString(dir.resolve("f" + i), "x");
    }
    until(w, events -> count(events, CREATE_FILE) >= n);
    for (int i = 0; i < n; i++) {
      Files.delete(dir.resolve("f" + i));
    }
    until(w, events -> count(events, DELETE) >= n);
    settle(w);
    assertEquals(0, count(seen, EVENTS_DROPPED), "no loss");
    assertEquals(n, count(seen, CREATE_FILE));
    assertEquals(n, count(seen, DELETE));
    assertEquals(0, count(seen, RENAME), "a deleted file's inode reused by a new one is no rename");
  }

  @Test
  void content_is_not_watched_when_not_wanted() throws Exception {
    Files.writeString(dir.resolve("f"), "x");
    FsWatcher w = FsWatcher.builder().root(dir).source(VnodeFsEventSource.NAME)
        .types(CREATE_FILE, DELETE, RENAME).build();
    watchers.add(w);
    Files.writeString(dir.resolve("f"), "more", StandardOpenOption.APPEND);
    Files.writeString(dir.resolve("g"), "x");
    until(w, has("CREATE_FILE g"));
    settle(w);
    assertEquals(0, count(seen, CONTENT_MODIFIED), describe(seen));
  }
}
