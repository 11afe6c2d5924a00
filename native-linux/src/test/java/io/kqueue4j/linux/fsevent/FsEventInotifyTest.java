package io.kqueue4j.linux.fsevent;

import static io.kqueue4j.filters.fsevent.FsEventType.CHOWN;
import static io.kqueue4j.filters.fsevent.FsEventType.CONTENT_MODIFIED;
import static io.kqueue4j.filters.fsevent.FsEventType.CREATE_DIR;
import static io.kqueue4j.filters.fsevent.FsEventType.CREATE_FILE;
import static io.kqueue4j.filters.fsevent.FsEventType.DELETE;
import static io.kqueue4j.filters.fsevent.FsEventType.RENAME;
import static io.kqueue4j.filters.fsevent.FsEventType.STAT_CHANGED;
import static io.kqueue4j.filters.fsevent.FsEventType.XATTR_MODIFIED;
import static io.kqueue4j.filters.fsevent.FsEventType.XATTR_REMOVED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.filters.fsevent.FsEvent;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatcher;
import io.kqueue4j.linux.FileStat;
import io.kqueue4j.linux.Inotify;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Every event type, renames, new directories and roots, on real trees through inotify. */
@EnabledOnOs(OS.LINUX)
class FsEventInotifyTest extends FsEventSourceTestBase {

  final List<FsWatcher> extra = new ArrayList<>();

  FsEventInotifyTest() {
    super(InotifyFsEventSource.NAME);
  }

  @BeforeEach
  void setUp() {
    assumeTrue(Inotify.isAvailable(), "inotify");
  }

  @AfterEach
  void tearDown() {
    extra.forEach(FsWatcher::close);
  }

  private FsEventRecorder watch() throws IOException {
    return watch(FsWatcher.builder().root(root));
  }

  private static FsEventType type(FsEvent e) {
    return e.type();
  }

  @Test
  void createFileCarriesAttributes() throws IOException {
    watch();
    Path f = Files.writeString(root.resolve("a.txt"), "x");
    FsEvent e = rec.await(CREATE_FILE, "a.txt");
    FileStat st = io.kqueue4j.linux.Stat.lstat(f);
    assertEquals(root, e.root());
    assertEquals(f, e.absolutePath());
    assertEquals(st.ino(), e.ino());
    assertEquals(st.dev(), e.dev());
    assertEquals(st.mode(), e.mode());
    assertEquals(st.uid(), e.uid());
    assertEquals(st.gid(), e.gid());
    assertEquals(0, e.flags() & FsEvent.IS_DIR);
    assertNull(e.destination());
    assertTrue(e.eventId() > 0);
    long now = System.currentTimeMillis();
    assertTrue(Math.abs(e.timestamp().toEpochMilli() - now) < 60_000, e.timestamp().toString());
  }

  @Test
  void createDirIsFlaggedAsDirectory() throws IOException {
    watch();
    rec.awaitNewDirectory(root, "d");
  }

  @Test
  void writeAndTruncateAreContentModified() throws IOException {
    Path f = Files.writeString(root.resolve("f"), "one");
    watch(FsWatcher.builder().root(root).coalescingWindow(Duration.ZERO));
    Files.writeString(f, "two", StandardOpenOption.APPEND);
    rec.await(CONTENT_MODIFIED, "f");
    rec.clear();
    try (var ch = Files.newByteChannel(f, StandardOpenOption.WRITE)) {
      ch.truncate(1);
    }
    rec.await(CONTENT_MODIFIED, "f");
  }

  @Test
  void chmodAndChownAreChown() throws IOException {
    Path f = Files.writeString(root.resolve("f"), "x");
    Path g = Files.writeString(root.resolve("g"), "x");
    watch();
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    FsEvent e = rec.await(CHOWN, "f");
    assertEquals(0600, e.mode() & 0777);
    int gid = (Integer) Files.getAttribute(g, "unix:gid");
    Files.setAttribute(g, "unix:gid", gid + 4242);
    FsEvent c = rec.await(CHOWN, "g");
    assertEquals(gid + 4242, c.gid());
  }

  @Test
  void utimesAndLinkCountAreStatChanged() throws IOException {
    Path f = Files.writeString(root.resolve("f"), "x");
    watch();
    Files.setLastModifiedTime(f, FileTime.fromMillis(1_000_000_000L));
    rec.await(STAT_CHANGED, "f");
    rec.clear();
    Files.createLink(root.resolve("hard"), f);
    FsEvent link = rec.await(CREATE_FILE, "hard");
    assertEquals(io.kqueue4j.linux.Stat.lstat(f).ino(), link.ino());
    // Linux's fsnotify_link_count() notifies the inode's own watch only, not its directory's:
    // the old name gets no STAT_CHANGED (XNU posts one on its directory). Pinned here.
    Files.writeString(root.resolve("marker"), "m");
    rec.await(CREATE_FILE, "marker");
    assertNull(rec.find(STAT_CHANGED, "f"), rec.toString());
  }

  @Test
  void xattrSetAndRemove() throws IOException {
    Path f = Files.writeString(root.resolve("f"), "x");
    UserDefinedFileAttributeView view =
        Files.getFileAttributeView(f, UserDefinedFileAttributeView.class);
    assumeTrue(view != null, "user xattrs");
    try {
      view.write("user.probe", ByteBuffer.wrap(new byte[] {1}));
      view.delete("user.probe");
    } catch (IOException e) {
      assumeTrue(false, "user xattrs not supported here: " + e);
    }
    watch();
    view.write("user.k", ByteBuffer.wrap("v".getBytes(StandardCharsets.UTF_8)));
    rec.await(XATTR_MODIFIED, "f");
    rec.clear();
    view.write("user.k", ByteBuffer.wrap("w".getBytes(StandardCharsets.UTF_8)));
    rec.await(XATTR_MODIFIED, "f");
    rec.clear();
    view.delete("user.k");
    rec.await(XATTR_REMOVED, "f");
  }

  @Test
  void deleteCarriesLastKnownAttributes() throws IOException {
    Path f = Files.writeString(root.resolve("f"), "x");
    Path d = Files.createDirectory(root.resolve("d"));
    long ino = io.kqueue4j.linux.Stat.lstat(f).ino();
    watch();
    Files.delete(f);
    FsEvent e = rec.await(DELETE, "f");
    assertEquals(ino, e.ino());
    assertEquals(FileStat.S_IFREG, e.mode() & FileStat.S_IFMT);
    Files.delete(d);
    assertTrue(rec.await(DELETE, "d").isDirectory());
  }

  @Test
  void renameInsideTheTreeIsOneEventWithBothPaths() throws IOException {
    Path a = Files.writeString(root.resolve("a"), "x");
    Files.createDirectory(root.resolve("sub"));
    long ino = io.kqueue4j.linux.Stat.lstat(a).ino();
    watch();
    Files.move(a, root.resolve("b"));
    FsEvent e = rec.await(RENAME, "a");
    assertEquals(Path.of("b"), e.destination());
    assertEquals(root.resolve("b"), e.absoluteDestination());
    assertEquals(ino, e.ino());
    Files.move(root.resolve("b"), root.resolve("sub/c"));
    FsEvent e2 = rec.await(RENAME, "b");
    assertEquals(Path.of("sub/c"), e2.destination());
    assertTrue(rec.ofType(DELETE).isEmpty(), rec.toString());
    assertTrue(rec.ofType(CREATE_FILE).isEmpty(), rec.toString());
  }

  @Test
  void renamedDirectoryKeepsWatchingUnderItsNewName() throws IOException {
    Files.createDirectories(root.resolve("x/y"));
    watch();
    Files.move(root.resolve("x"), root.resolve("z"));
    FsEvent e = rec.await(RENAME, "x");
    assertTrue(e.isDirectory());
    Files.writeString(root.resolve("z/y/new"), "n");
    rec.await(CREATE_FILE, "z/y/new");
  }

  @Test
  void renameOverAnExistingFileIsOneRename() throws IOException {
    Files.writeString(root.resolve("a"), "a");
    Files.writeString(root.resolve("b"), "b");
    watch();
    Files.move(root.resolve("a"), root.resolve("b"), StandardCopyOption.REPLACE_EXISTING);
    assertEquals(Path.of("b"), rec.await(RENAME, "a").destination());
    Files.writeString(root.resolve("b"), "again");
    rec.await(CONTENT_MODIFIED, "b");
  }

  @Test
  void moveOutIsDeleteAndMoveInIsCreate() throws IOException {
    Files.createDirectories(root.resolve("gone/deep"));
    Files.writeString(outside.resolve("in.txt"), "x");
    Files.createDirectories(outside.resolve("tree/a/b"));
    Files.writeString(outside.resolve("tree/a/b/leaf"), "x");
    watch();
    Files.move(root.resolve("gone"), outside.resolve("gone"));
    assertTrue(rec.await(DELETE, "gone").isDirectory());
    Files.writeString(outside.resolve("gone/deep/ignored"), "x");
    Files.move(outside.resolve("in.txt"), root.resolve("in.txt"));
    rec.await(CREATE_FILE, "in.txt");
    Files.move(outside.resolve("tree"), root.resolve("tree"));
    rec.await(CREATE_DIR, "tree");
    rec.await(CREATE_DIR, "tree/a");
    rec.await(CREATE_DIR, "tree/a/b");
    rec.await(CREATE_FILE, "tree/a/b/leaf");
    Files.writeString(root.resolve("tree/a/b/later"), "x");
    rec.await(CREATE_FILE, "tree/a/b/later");
    assertTrue(
        rec.drain().stream().noneMatch(e -> e.absolutePath().toString().contains("ignored")),
        rec.toString());
    assertTrue(rec.ofType(RENAME).isEmpty(), rec.toString());
  }

  @Test
  void mkdirPYieldsEveryLevel() throws Exception {
    watch();
    for (int i = 0; i < 20; i++) {
      Path leaf = root.resolve("p" + i + "/a/b/c/d");
      Files.createDirectories(leaf);
      Files.writeString(leaf.resolve("f"), "x");
    }
    for (int i = 0; i < 20; i++) {
      rec.await(CREATE_DIR, "p" + i);
      rec.await(CREATE_DIR, "p" + i + "/a");
      rec.await(CREATE_DIR, "p" + i + "/a/b");
      rec.await(CREATE_DIR, "p" + i + "/a/b/c");
      rec.await(CREATE_DIR, "p" + i + "/a/b/c/d");
      rec.await(CREATE_FILE, "p" + i + "/a/b/c/d/f");
    }
    assertNoDuplicateCreates();
  }

  @Test
  void cpRYieldsEverything() throws Exception {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      for (int j = 0; j < 5; j++) {
        Path d = Files.createDirectories(outside.resolve("src/d" + i + "/e" + j));
        expected.add("copy/d" + i + "/e" + j);
        for (int k = 0; k < 4; k++) {
          Files.writeString(d.resolve("f" + k), "content " + k);
          expected.add("copy/d" + i + "/e" + j + "/f" + k);
        }
      }
      expected.add("copy/d" + i);
    }
    watch();
    Process cp =
        new ProcessBuilder("cp", "-r", outside.resolve("src").toString(),
            root.resolve("copy").toString()).inheritIO().start();
    assertEquals(0, cp.waitFor());
    rec.until(l -> created().containsAll(expected));
    assertNoDuplicateCreates();
  }

  private Set<String> created() {
    return rec.drain().stream()
        .filter(e -> e.type() == CREATE_FILE || e.type() == CREATE_DIR)
        .map(e -> e.path().toString())
        .collect(Collectors.toSet());
  }

  private void assertNoDuplicateCreates() {
    List<String> creates = rec.drain().stream()
        .filter(e -> e.type() == CREATE_FILE || e.type() == CREATE_DIR)
        .map(e -> e.path().toString())
        .collect(Collectors.toList());
    assertEquals(creates.size(), Set.copyOf(creates).size(), rec.toString());
  }

  @Test
  void symlinksAreReportedNotFollowed() throws IOException {
    Files.createDirectory(outside.resolve("target"));
    watch();
    Path link = Files.createSymbolicLink(root.resolve("link"), outside.resolve("target"));
    FsEvent e = rec.await(CREATE_FILE, "link");
    assertEquals(FileStat.S_IFLNK, e.mode() & FileStat.S_IFMT);
    assertFalse(e.isDirectory());
    Files.writeString(outside.resolve("target/x"), "x");
    Files.writeString(root.resolve("marker"), "m");
    rec.await(CREATE_FILE, "marker");
    assertNull(rec.find(CREATE_FILE, "link/x"), rec.toString());
    assertTrue(Files.isSymbolicLink(link));
  }

  @Test
  void aSymlinkLoopDoesNotHang() throws IOException {
    Files.createDirectories(root.resolve("a/b"));
    Files.createSymbolicLink(root.resolve("a/b/up"), Path.of("../.."));
    Files.createSymbolicLink(root.resolve("self"), Path.of("."));
    watch();
    assertEquals(3, watcher.watchedDirectories());
    Files.writeString(root.resolve("a/b/f"), "x");
    rec.await(CREATE_FILE, "a/b/f");
  }

  @Test
  void rootThatDoesNotExistOrIsNotADirectoryFailsClearly() throws IOException {
    Path missing = base.resolve("missing");
    NoSuchFileException e1 =
        assertThrows(NoSuchFileException.class, () -> FsWatcher.builder().root(missing).build());
    assertTrue(e1.getMessage().contains("does not exist"), e1.getMessage());
    Path file = Files.writeString(base.resolve("file"), "x");
    NotDirectoryException e2 =
        assertThrows(NotDirectoryException.class, () -> FsWatcher.builder().root(file).build());
    assertTrue(e2.getMessage().contains("not a directory"), e2.getMessage());
  }

  @Test
  void removingTheRootRevokes() throws IOException {
    Files.createDirectories(root.resolve("d/e"));
    Files.writeString(root.resolve("d/e/f"), "x");
    watch();
    Process rm = new ProcessBuilder("rm", "-rf", root.toString()).inheritIO().start();
    try {
      assertEquals(0, rm.waitFor());
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    FsEvent e = rec.await(DELETE, "");
    assertTrue(e.isDirectory());
    assertEquals(root, e.absolutePath());
    assertNotNull(rec.find(DELETE, "d/e/f"));
    assertNotNull(rec.find(DELETE, "d/e"));
    rec.until(l -> watcher.isRevoked());
    assertEquals(0, watcher.watchedDirectories());
  }

  @Test
  void movingTheRootAwayRevokes() throws IOException {
    watch();
    Files.move(root, base.resolve("moved"));
    rec.await(DELETE, "");
    rec.until(l -> watcher.isRevoked());
    Files.writeString(base.resolve("moved/after"), "x");
    assertNull(rec.find(CREATE_FILE, "after"));
  }

  @Test
  void revokedOnlyWhenEveryRootIsGone() throws IOException {
    Path second = Files.createDirectory(base.resolve("second"));
    watch(FsWatcher.builder().root(root).root(second));
    Files.delete(root);
    assertEquals(root, rec.await(DELETE, "").root());
    assertFalse(watcher.isRevoked());
    Files.writeString(second.resolve("f"), "x");
    assertEquals(second, rec.await(CREATE_FILE, "f").root());
    Files.delete(second.resolve("f"));
    Files.delete(second);
    rec.until(l -> watcher.isRevoked());
  }

  @Test
  void nestedRootsAreMerged() throws IOException {
    Path inner = Files.createDirectories(root.resolve("inner"));
    watch(FsWatcher.builder().root(inner).root(root));
    assertEquals(List.of(root), watcher.roots());
    Files.writeString(inner.resolve("f"), "x");
    rec.await(CREATE_FILE, "inner/f");
  }

  @Test
  void typesNotWantedAreNotReported() throws IOException {
    watch(FsWatcher.builder().root(root).types(DELETE));
    Files.writeString(root.resolve("f"), "x");
    Files.delete(root.resolve("f"));
    rec.await(DELETE, "f");
    assertTrue(rec.drain().stream().allMatch(e -> e.type() == DELETE), rec.toString());
  }

  @Test
  void excludedDeviceIsNotReported() throws IOException {
    long dev = (Long) Files.getAttribute(root, "unix:dev");
    watch(FsWatcher.builder().root(root).excludeDevice(dev));
    Files.writeString(root.resolve("f"), "x");
    Path probe = Files.createDirectory(outside.resolve("probe"));
    try (FsWatcher other = FsWatcher.builder().root(outside).build()) {
      FsEventRecorder o = new FsEventRecorder(other);
      Files.writeString(probe.resolve("g"), "x");
      o.await(CREATE_FILE, "probe/g"); // the first watcher had as long to see its file
    }
    assertTrue(rec.drain().isEmpty(), rec.toString());
  }

  @Test
  void coalescingMergesRepeatedWritesWhileUnread() throws IOException {
    Path f = Files.writeString(root.resolve("f"), "");
    watch(FsWatcher.builder().root(root).coalescingWindow(Duration.ofSeconds(30)));
    for (int i = 0; i < 10; i++) {
      long before = watcher.currentEventId();
      Files.writeString(f, "x", StandardOpenOption.APPEND);
      // one write at a time through the source, so the kernel cannot merge them first
      org.awaitility.Awaitility.await().atMost(FsEventRecorder.TIMEOUT)
          .until(() -> watcher.currentEventId() > before);
    }
    assertEquals(9, watcher.coalescedEvents());
    List<FsEvent> mods = rec.ofType(CONTENT_MODIFIED);
    assertEquals(1, mods.size(), rec.toString());
    assertTrue((mods.get(0).flags() & FsEvent.COMBINED) != 0);
    // once read, the next write is a new record
    Files.writeString(f, "y", StandardOpenOption.APPEND);
    rec.until(l -> rec.ofType(CONTENT_MODIFIED).size() == 2);
    assertEquals(0, rec.ofType(CONTENT_MODIFIED).get(1).flags() & FsEvent.COMBINED);
  }

  @Test
  void zeroWindowKeepsEveryWrite() throws IOException {
    Path f = Files.writeString(root.resolve("f"), "");
    watch(FsWatcher.builder().root(root).coalescingWindow(Duration.ZERO));
    for (int i = 0; i < 50; i++) {
      Files.writeString(f, "x", StandardOpenOption.APPEND);
    }
    Files.writeString(root.resolve("marker"), "m");
    rec.await(CREATE_FILE, "marker");
    // the kernel itself merges identical consecutive inotify events still unread, so maybe < 50
    assertTrue(rec.ofType(CONTENT_MODIFIED).size() >= 1, rec.toString());
    assertTrue(rec.drain().stream().noneMatch(e -> (e.flags() & FsEvent.COMBINED) != 0));
    assertEquals(0, watcher.coalescedEvents());
  }

  @Test
  void eventIdsIncrease() throws IOException {
    watch();
    for (int i = 0; i < 10; i++) {
      Files.writeString(root.resolve("f" + i), "x");
    }
    rec.until(l -> l.size() >= 10);
    long last = 0;
    for (FsEvent e : rec.drain()) {
      assertTrue(e.eventId() > last, rec.toString());
      last = e.eventId();
    }
    assertEquals(last, watcher.currentEventId());
    assertNotEquals(0, last);
  }
}
