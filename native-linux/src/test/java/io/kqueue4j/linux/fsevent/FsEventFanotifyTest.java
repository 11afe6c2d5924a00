package io.kqueue4j.linux.fsevent;

import static io.kqueue4j.filters.fsevent.FsEventType.CONTENT_MODIFIED;
import static io.kqueue4j.filters.fsevent.FsEventType.CREATE_DIR;
import static io.kqueue4j.filters.fsevent.FsEventType.CREATE_FILE;
import static io.kqueue4j.filters.fsevent.FsEventType.DELETE;
import static io.kqueue4j.filters.fsevent.FsEventType.EVENTS_DROPPED;
import static io.kqueue4j.filters.fsevent.FsEventType.RENAME;
import static io.kqueue4j.filters.fsevent.FsEventType.STAT_CHANGED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.filters.fsevent.FsEvent;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsOverflowPolicy;
import io.kqueue4j.filters.fsevent.FsWatcher;
import io.kqueue4j.linux.FileStat;
import io.kqueue4j.linux.Stat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The {@code "linux-fanotify"} source on real trees: every type it reports, renames, moves across
 * the tree's edge, bulk creation, kernel overflow, root removal, and isolation from the rest of the
 * file system its mark covers. Skipped where filesystem-wide fanotify is unavailable.
 */
@EnabledOnOs(OS.LINUX)
class FsEventFanotifyTest extends FsEventSourceTestBase {

  FsEventFanotifyTest() {
    super(FanotifyFsEventSource.NAME);
  }

  @BeforeEach
  void setUp() {
    Throwable why = FanotifyGroup.unavailabilityCause();
    assumeTrue(why == null, () -> "filesystem-wide fanotify is not available here: " + why);
  }

  private FsWatcher.Builder builder() {
    return FsWatcher.builder().root(root).source(FanotifyFsEventSource.NAME)
        .coalescingWindow(Duration.ZERO);
  }

  private FsEventRecorder watch() throws IOException {
    return watch(builder());
  }

  /** Makes a file and waits for it: everything before it has been read. */
  private void sync(String name) throws IOException {
    Files.createFile(root.resolve(name));
    rec.await(CREATE_FILE, name);
  }

  @Test
  void createFileAndDirectoryCarryAttributes() throws IOException {
    watch();
    Path f = Files.writeString(root.resolve("a.txt"), "x");
    FsEvent e = rec.await(CREATE_FILE, "a.txt");
    FileStat st = Stat.lstat(f);
    assertEquals(f, e.absolutePath());
    assertEquals(st.ino(), e.ino());
    assertEquals(st.dev(), e.dev());
    assertEquals(st.mode(), e.mode());
    assertFalse(e.isDirectory());
    rec.awaitNewDirectory(root, "d");
  }

  @Test
  void modifyAttribAndDelete() throws IOException {
    Path f = Files.writeString(root.resolve("f"), "one");
    Path d = Files.createDirectory(root.resolve("d"));
    watch();
    Files.writeString(f, "two", StandardOpenOption.APPEND);
    rec.await(CONTENT_MODIFIED, "f");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    FsEvent chmod = rec.await(STAT_CHANGED, "f");
    assertEquals(0600, chmod.mode() & 0777);
    Files.setLastModifiedTime(d, FileTime.fromMillis(1_000_000_000L));
    assertTrue(rec.await(STAT_CHANGED, "d").isDirectory(), "a directory's own attribute change");
    Files.setLastModifiedTime(root, FileTime.fromMillis(1_000_000_000L));
    rec.await(STAT_CHANGED, "");
    Files.delete(f);
    assertFalse(rec.await(DELETE, "f").isDirectory());
    Files.delete(d);
    assertTrue(rec.await(DELETE, "d").isDirectory());
  }

  @Test
  void nestedNewDirectoriesAreKnownWithoutListing() throws IOException {
    watch();
    Files.createDirectories(root.resolve("a/b/c"));
    Files.writeString(root.resolve("a/b/c/f"), "x");
    rec.await(CREATE_DIR, "a");
    rec.await(CREATE_DIR, "a/b");
    rec.await(CREATE_DIR, "a/b/c");
    rec.await(CREATE_FILE, "a/b/c/f");
    rec.await(CONTENT_MODIFIED, "a/b/c/f");
  }

  @Test
  void renameInsideTheTreeIsOneEventAndTheDirectoryFollows() throws Exception {
    Files.createDirectories(root.resolve("x/inner"));
    Files.writeString(root.resolve("f"), "x");
    watch();
    renameChecks();
  }

  @Test
  void renamePairingWithoutFanRename() throws Exception {
    Files.createDirectories(root.resolve("x/inner"));
    Files.writeString(root.resolve("f"), "x");
    try (FanotifyGroup legacy = FanotifyGroup.open(false)) {
      assertFalse(legacy.renameEvents());
    }
    System.setProperty(FanotifyFsEventSource.RENAME_PROPERTY, "false");
    try {
      watch();
    } finally {
      System.clearProperty(FanotifyFsEventSource.RENAME_PROPERTY);
    }
    renameChecks();
  }

  private void renameChecks() throws Exception {
    Files.move(root.resolve("f"), root.resolve("g"));
    FsEvent r = rec.await(RENAME, "f");
    assertEquals(Path.of("g"), r.destination());
    assertEquals(Stat.lstat(root.resolve("g")).ino(), r.ino());
    Files.move(root.resolve("x"), root.resolve("y"));
    FsEvent rd = rec.await(RENAME, "x");
    assertEquals(Path.of("y"), rd.destination());
    assertTrue(rd.isDirectory());
    Files.createFile(root.resolve("y/inner/new"));
    rec.await(CREATE_FILE, "y/inner/new");
    Files.move(root.resolve("y/inner/new"), root.resolve("moved-up"));
    assertEquals(Path.of("moved-up"), rec.await(RENAME, "y/inner/new").destination());
    Files.move(root.resolve("y/inner"), root.resolve("inner2"));
    assertEquals(Path.of("inner2"), rec.await(RENAME, "y/inner").destination());
    Files.createFile(root.resolve("inner2/deep"));
    rec.await(CREATE_FILE, "inner2/deep");
    Files.writeString(root.resolve("h"), "h");
    // rename(2) over an existing entry (Files.move with REPLACE_EXISTING unlinks the target first)
    Process mv = new ProcessBuilder("mv", "-f", root.resolve("h").toString(),
        root.resolve("g").toString()).inheritIO().start();
    assertEquals(0, mv.waitFor());
    assertEquals(Path.of("g"), rec.await(RENAME, "h").destination());
    sync("end");
    assertTrue(rec.ofType(DELETE).isEmpty(), rec.toString());
  }

  @Test
  void moveOutIsDeleteAndMoveInIsCreateOfEverything() throws IOException {
    Files.createDirectories(root.resolve("leaving/sub"));
    Files.createDirectories(outside.resolve("coming/sub"));
    Files.writeString(outside.resolve("coming/sub/file"), "x");
    watch();
    Files.move(root.resolve("leaving"), outside.resolve("left"));
    assertTrue(rec.await(DELETE, "leaving").isDirectory());
    Files.createFile(outside.resolve("left/sub/ignored"));
    Files.move(outside.resolve("coming"), root.resolve("came"));
    rec.await(CREATE_DIR, "came");
    rec.await(CREATE_DIR, "came/sub");
    rec.await(CREATE_FILE, "came/sub/file");
    Files.createFile(root.resolve("came/sub/later"));
    rec.await(CREATE_FILE, "came/sub/later");
    sync("end");
    assertEquals(1, rec.events.stream()
        .filter(e -> e.path().equals(Path.of("came/sub/file"))).count(), rec.toString());
    assertTrue(rec.events.stream().noneMatch(e -> e.path().toString().contains("ignored")),
        rec.toString());
  }

  @Test
  void activityOutsideTheRootsDoesNotLeakIn() throws Exception {
    watch();
    for (int i = 0; i < 50; i++) {
      Files.delete(Files.writeString(outside.resolve("o" + i), "x"));
    }
    Process p = new ProcessBuilder("sh", "-c",
        "d=$(mktemp -d /tmp/kq4j-fan-XXXXXX) && for i in $(seq 50); do mkdir $d/$i;"
            + " echo x > $d/$i/f; mv $d/$i/f $d/$i/g; done; rm -rf $d")
        .inheritIO().start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue());
    sync("mine");
    assertEquals(List.of("mine"),
        rec.events.stream().map(e -> e.path().toString()).distinct().collect(Collectors.toList()),
        rec.toString());
  }

  @Test
  void bulkCreationIsAccountedByEventsOrAMarker() throws IOException {
    watch(builder().types(CREATE_FILE).queueCapacity(1 << 14));
    Files.createDirectory(root.resolve("bulk"));
    for (int i = 0; i < 10_000; i++) {
      Files.createFile(root.resolve("bulk/f" + i));
    }
    Set<String> seen = new HashSet<>();
    long[] lost = new long[1];
    org.awaitility.Awaitility.await().atMost(FsEventRecorder.TIMEOUT).until(() -> {
      for (FsEvent e : rec.drain()) {
        if (e.type() == EVENTS_DROPPED) {
          lost[0] += e.droppedCount();
        } else {
          seen.add(e.path().toString());
        }
      }
      rec.events.clear();
      return seen.size() + lost[0] >= 10_000;
    });
    if (lost[0] == 0) {
      assertEquals(10_000, seen.size());
    }
  }

  @Test
  void flushPolicyWithATinyQueueCountsEveryEvent() throws IOException {
    watch(builder().types(CREATE_FILE).queueCapacity(8)
        .overflowPolicy(FsOverflowPolicy.FLUSH_WHEN_BEHIND));
    for (int i = 0; i < 100; i++) {
      Files.createFile(root.resolve("f" + i));
    }
    long[] lost = new long[1];
    Set<String> seen = new HashSet<>();
    org.awaitility.Awaitility.await().atMost(FsEventRecorder.TIMEOUT).until(() -> {
      for (FsEvent e : rec.drain()) {
        if (e.type() == EVENTS_DROPPED) {
          lost[0] += e.droppedCount();
        } else {
          assertTrue(seen.add(e.path().toString()), "reported twice: " + e);
        }
      }
      rec.events.clear();
      return seen.size() + lost[0] == 100;
    });
    assertEquals(watcher.droppedEvents(), lost[0]);
  }

  /**
   * Holds the starting thread in the final progress callback while 20,000 events pile up: the
   * kernel queue (16,384) overflows, the watcher reports a marker and walks the tree again, and a
   * directory made during the overflow is known afterwards.
   */
  @Test
  void kernelOverflowIsAMarkerAndTheTreeIsWalkedAgain() throws Exception {
    KernelOverflowFlood flood = new KernelOverflowFlood(root);
    watch(builder().queueCapacity(1 << 16).progress(flood));
    flood.assertRecovered(watcher, rec);
  }

  @Test
  void rootRemovalRevokesTheWatcher() throws IOException {
    Files.createDirectory(root.resolve("d"));
    watch();
    Files.delete(root.resolve("d"));
    Files.delete(root);
    rec.await(DELETE, "d");
    FsEvent gone = rec.await(DELETE, "");
    assertTrue(gone.isDirectory());
    org.awaitility.Awaitility.await().atMost(FsEventRecorder.TIMEOUT)
        .until(() -> watcher.isRevoked());
  }

  @Test
  void rootMovedAwayIsGoneToo() throws IOException {
    watch();
    Files.move(root, outside.resolve("moved"));
    rec.await(DELETE, "");
    org.awaitility.Awaitility.await().atMost(FsEventRecorder.TIMEOUT)
        .until(() -> watcher.isRevoked());
  }

  @Test
  void twoRootsStayApart() throws IOException {
    Path second = Files.createDirectory(base.resolve("second"));
    Files.createDirectory(root.resolve("d"));
    watch(builder().root(second));
    assertEquals(2, watcher.watchedDirectories() - 1, "two roots and d");
    Files.createFile(second.resolve("s"));
    FsEvent s = rec.await(CREATE_FILE, "s");
    assertEquals(second, s.root());
    Files.move(root.resolve("d"), second.resolve("d"));
    assertEquals(root, rec.await(DELETE, "d").root());
    rec.until(l -> l.stream().anyMatch(e -> e.type() == CREATE_DIR && e.root().equals(second)));
    assertNull(rec.find(RENAME, "d"));
  }

  @Test
  void startupListsDirectoriesOnly() throws IOException {
    for (int i = 0; i < 30; i++) {
      Files.createDirectories(root.resolve("d" + i + "/e"));
      Files.createFile(root.resolve("d" + i + "/file"));
    }
    long[] last = new long[2];
    watch(builder().progress((dirs, entries, nanos, done) -> {
      if (done) {
        last[0] = dirs;
        last[1] = entries;
      }
    }));
    assertEquals(61, watcher.watchedDirectories());
    assertEquals(61, last[0]);
    assertEquals(90, last[1], "every entry examined, files included");
    Files.createFile(root.resolve("d29/e/x"));
    rec.await(CREATE_FILE, "d29/e/x");
  }

  @Test
  void supportedTypes() {
    Set<FsEventType> t = new FanotifyFsEventSource().supportedTypes();
    assertTrue(t.contains(RENAME) && t.contains(STAT_CHANGED));
    assertFalse(t.contains(FsEventType.CHOWN), "no per-file attributes to tell chown apart");
  }
}
