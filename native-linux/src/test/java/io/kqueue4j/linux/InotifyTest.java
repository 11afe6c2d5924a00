package io.kqueue4j.linux;

import static io.kqueue4j.linux.Inotify.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.testing.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

@EnabledOnOs(OS.LINUX)
class InotifyTest {

  /** A copy of one event, kept after the flyweight moved on. */
  record Seen(int wd, int mask, int cookie, String name) {}

  @TempDir Path dir;
  private Inotify inotify;

  @BeforeEach
  void open() throws ErrnoException {
    inotify = Inotify.open();
  }

  @AfterEach
  void close() throws ErrnoException {
    inotify.close();
  }

  /** Every queued event. The kernel queues inotify events before the file operation returns. */
  private List<Seen> drain() throws ErrnoException {
    List<Seen> seen = new ArrayList<>();
    while (inotify.read(e -> seen.add(new Seen(e.wd(), e.mask(), e.cookie(), e.name()))) > 0) {
      // the buffer may need several reads
    }
    return seen;
  }

  @Test
  void isProbedAvailableNonblockingAndCloexec() throws ErrnoException {
    assertTrue(Inotify.isAvailable());
    assertNull(Inotify.unavailabilityCause());
    assertEquals(LibC.FD_CLOEXEC, LibC.fcntl(inotify.fd(), LibC.F_GETFD));
    assertEquals(LibC.O_NONBLOCK, LibC.fcntl(inotify.fd(), LibC.F_GETFL) & LibC.O_NONBLOCK);
    assertEquals(
        0,
        inotify.read(
            e -> {
              throw new AssertionError("no event expected: " + e);
            }));
  }

  @Test
  void directoryEntryEventsCarryTheirNames() throws Exception {
    int wd = inotify.addWatch(dir, IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE);
    Path file = dir.resolve("a.txt");
    Files.writeString(file, "x");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    Files.delete(file);
    Files.createDirectory(dir.resolve("sub"));
    assertEquals(
        List.of(
            new Seen(wd, IN_CREATE, 0, "a.txt"),
            new Seen(wd, IN_MODIFY, 0, "a.txt"),
            new Seen(wd, IN_CLOSE_WRITE, 0, "a.txt"),
            new Seen(wd, IN_ATTRIB, 0, "a.txt"),
            new Seen(wd, IN_DELETE, 0, "a.txt"),
            new Seen(wd, IN_CREATE | IN_ISDIR, 0, "sub")),
        drain());
  }

  @Test
  void readsAreOpenAccessCloseNowrite() throws Exception {
    Path file = Files.writeString(dir.resolve("r.txt"), "data");
    int wd = inotify.addWatch(file, IN_OPEN | IN_ACCESS | IN_CLOSE_NOWRITE);
    assertEquals("data", Files.readString(file));
    List<Seen> seen = drain();
    assertEquals(new Seen(wd, IN_OPEN, 0, ""), seen.get(0));
    assertTrue(seen.contains(new Seen(wd, IN_ACCESS, 0, "")), seen.toString());
    assertEquals(new Seen(wd, IN_CLOSE_NOWRITE, 0, ""), seen.get(seen.size() - 1));
  }

  @Test
  void renameIsMovedFromAndMovedToWithOneCookie() throws Exception {
    Path from = Files.writeString(dir.resolve("from"), "x");
    int dirWd = inotify.addWatch(dir, IN_MOVE);
    int fileWd = inotify.addWatch(from, IN_MOVE_SELF);
    Files.move(from, dir.resolve("to"));
    List<Seen> seen = drain();
    assertEquals(3, seen.size(), seen.toString());
    Seen movedFrom = seen.get(0);
    Seen movedTo = seen.get(1);
    assertEquals(new Seen(dirWd, IN_MOVED_FROM, movedFrom.cookie(), "from"), movedFrom);
    assertEquals(new Seen(dirWd, IN_MOVED_TO, movedFrom.cookie(), "to"), movedTo);
    assertNotEquals(0, movedFrom.cookie());
    assertEquals(new Seen(fileWd, IN_MOVE_SELF, 0, ""), seen.get(2));
  }

  @Test
  void deletingTheWatchedObjectIsDeleteSelfThenIgnored() throws Exception {
    Path file = Files.writeString(dir.resolve("doomed"), "x");
    int wd = inotify.addWatch(file, IN_DELETE_SELF | IN_ATTRIB);
    Files.delete(file);
    assertEquals(
        List.of(
            new Seen(wd, IN_ATTRIB, 0, ""),
            new Seen(wd, IN_DELETE_SELF, 0, ""),
            new Seen(wd, IN_IGNORED, 0, "")),
        drain());
  }

  @Test
  void removeWatchQueuesIgnoredAndUnknownWdIsEinval() throws Exception {
    int wd = inotify.addWatch(dir, IN_CREATE);
    inotify.removeWatch(wd);
    Files.createFile(dir.resolve("after"));
    assertEquals(List.of(new Seen(wd, IN_IGNORED, 0, "")), drain());
    ErrnoException e = assertThrows(ErrnoException.class, () -> inotify.removeWatch(wd));
    assertEquals(LinuxErrno.EINVAL, e.errno());
    assertEquals(
        "inotify_rm_watch(..) failed: EINVAL (Invalid argument): wd " + wd, e.getMessage());
  }

  @Test
  void sameInodeSameWdAndMaskAddMerges() throws Exception {
    int wd = inotify.addWatch(dir, IN_CREATE);
    assertEquals(wd, inotify.addWatch(dir, IN_DELETE | IN_MASK_ADD));
    Path file = Files.createFile(dir.resolve("f"));
    Files.delete(file);
    assertEquals(
        List.of(new Seen(wd, IN_CREATE, 0, "f"), new Seen(wd, IN_DELETE, 0, "f")), drain());

    assertEquals(wd, inotify.addWatch(dir, IN_DELETE));
    Files.delete(Files.createFile(dir.resolve("g")));
    assertEquals(
        List.of(new Seen(wd, IN_DELETE, 0, "g")),
        drain(),
        "without IN_MASK_ADD the mask is replaced");
  }

  @Test
  void maskCreateRefusesAnInodeAlreadyWatched() throws Exception {
    inotify.addWatch(dir, IN_CREATE);
    ErrnoException e =
        assertThrows(ErrnoException.class, () -> inotify.addWatch(dir, IN_CREATE | IN_MASK_CREATE));
    assertEquals(LinuxErrno.EEXIST, e.errno());
  }

  @Test
  void onlydirRefusesAFile() throws Exception {
    Path file = Files.createFile(dir.resolve("plain"));
    ErrnoException e =
        assertThrows(ErrnoException.class, () -> inotify.addWatch(file, IN_ATTRIB | IN_ONLYDIR));
    assertEquals(LinuxErrno.ENOTDIR, e.errno());
    assertEquals(
        "inotify_add_watch(..) failed: ENOTDIR (Not a directory): " + file, e.getMessage());
  }

  @Test
  void dontFollowWatchesTheLinkItself() throws Exception {
    Path target = Files.createFile(dir.resolve("target"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), target);
    int linkWd = inotify.addWatch(link, IN_ATTRIB | IN_DONT_FOLLOW);
    int targetWd = inotify.addWatch(target, IN_ATTRIB);
    assertNotEquals(linkWd, targetWd);
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
    assertEquals(List.of(new Seen(targetWd, IN_ATTRIB, 0, "")), drain());
    assertEquals(
        targetWd, inotify.addWatch(link, IN_ATTRIB), "following the link reaches the target");
  }

  @Test
  void exclUnlinkStopsEventsOfUnlinkedChildren() throws Exception {
    int wd = inotify.addWatch(dir, IN_MODIFY | IN_EXCL_UNLINK);
    Path file = Files.createFile(dir.resolve("open"));
    try (var out = Files.newOutputStream(file, StandardOpenOption.WRITE)) {
      Files.delete(file);
      out.write(1);
    }
    assertEquals(List.of(), drain());
    Path other = Files.createFile(dir.resolve("kept"));
    Files.writeString(other, "y");
    assertEquals(List.of(new Seen(wd, IN_MODIFY, 0, "kept")), drain());
  }

  @Test
  void overflowIsReportedWithWdMinusOne() throws Exception {
    int limit = Integer.parseInt(sysctl("fs/inotify/max_queued_events"));
    Path a = Files.createFile(dir.resolve("a"));
    Path b = Files.createFile(dir.resolve("b"));
    inotify.addWatch(dir, IN_ATTRIB);
    for (int i = 0; i <= limit / 2 + 1; i++) { // alternating names: the kernel merges only repeats
      a.toFile().setExecutable(i % 2 == 0);
      b.toFile().setExecutable(i % 2 == 0);
    }
    List<Seen> seen = drain();
    assertEquals(new Seen(-1, IN_Q_OVERFLOW, 0, ""), seen.get(seen.size() - 1));
    assertEquals(limit + 1, seen.size());
  }

  @Test
  void inotifyIsReadableInEpollWhileEventsAreQueued() throws Exception {
    try (Epoll epoll = Epoll.open()) {
      EpollEventArray events = new EpollEventArray(1);
      epoll.add(inotify.fd(), Epoll.EPOLLIN, 3);
      inotify.addWatch(dir, IN_CREATE);
      assertEquals(0, epoll.waitEvents(events, 0));
      Files.createFile(dir.resolve("x"));
      assertEquals(1, epoll.waitEvents(events, 0));
      assertTrue(LibC.availableBytes(inotify.fd()) >= InotifyEvent.HEADER_SIZE + 2);
      drain();
      assertEquals(0, epoll.waitEvents(events, 0));
    }
  }

  @Test
  void flyweightIsReusedAndNamesAreDecodedLazilyInFileNameEncoding() throws Exception {
    inotify.addWatch(dir, IN_CREATE);
    Files.createFile(dir.resolve("été-\u6587"));
    Files.createFile(dir.resolve("b"));
    List<InotifyEvent> instances = new ArrayList<>();
    List<Integer> lengths = new ArrayList<>();
    List<String> names = new ArrayList<>();
    assertEquals(
        2,
        inotify.read(
            e -> {
              instances.add(e);
              lengths.add(e.nameLength());
              names.add(e.name());
              assertSame(e.name(), e.name());
              assertTrue(e.is(IN_CREATE));
              assertFalse(e.is(IN_CREATE | IN_ISDIR));
            }));
    assertSame(instances.get(0), instances.get(1));
    assertEquals(List.of("été-\u6587", "b"), names);
    assertEquals(List.of("été-\u6587".getBytes(StandardCharsets.UTF_8).length, 1), lengths);
  }

  @Test
  void smallestBufferStillReadsALongName() throws Exception {
    try (Inotify small = Inotify.open(Inotify.MIN_BUFFER_SIZE)) {
      int wd = small.addWatch(dir, IN_CREATE);
      String longName = "n".repeat(255);
      Files.createFile(dir.resolve(longName));
      Files.createFile(dir.resolve("short"));
      List<String> names = new ArrayList<>();
      assertEquals(1, small.read(e -> names.add(e.wd() == wd ? e.name() : "?")));
      assertEquals(1, small.read(e -> names.add(e.name())));
      assertEquals(List.of(longName, "short"), names);
    }
    assertThrows(IllegalArgumentException.class, () -> Inotify.open(Inotify.MIN_BUFFER_SIZE - 1));
  }

  @Test
  void missingPathIsEnoentNamingIt() {
    Path missing = dir.resolve("missing");
    ErrnoException e =
        assertThrows(ErrnoException.class, () -> inotify.addWatch(missing, IN_ALL_EVENTS));
    assertEquals(LinuxErrno.ENOENT, e.errno());
    assertTrue(e.getMessage().endsWith(missing.toString()), e.getMessage());
  }

  @Test
  void theKernelsEnospcNamesTheWatchLimit() throws Exception {
    assumeTrue(
        new ProcessBuilder("unshare", "-U", "-r", "true").start().waitFor() == 0,
        "needs unprivileged user namespaces to set a private watch limit");
    String global = sysctl("fs/inotify/max_user_watches");
    ChildJvm run =
        ChildJvm.run(
            List.of(
                "unshare",
                "-U",
                "-r",
                "sh",
                "-c",
                "echo 3 > /proc/sys/user/max_inotify_watches && exec \"$0\" \"$@\""),
            WatchLimitMain.class);
    assertEquals(
        "3 ENOSPC inotify_add_watch(..) failed: ENOSPC (No space left on device): DIR: "
            + "the inotify watch limit fs.inotify.max_user_watches ("
            + global
            + ") is reached "
            + "(this user namespace's user.max_inotify_watches is 3); "
            + "raise it with sysctl fs.inotify.max_user_watches=N",
        run.stdout(),
        run.stderr());
  }

  @Test
  void enospcNamesTheWatchLimit() throws IOException {
    ErrnoException e = Inotify.addWatchFailed(LinuxErrno.ENOSPC, Path.of("/some/dir"));
    String limit = sysctl("fs/inotify/max_user_watches");
    assertTrue(Integer.parseInt(limit) > 1, limit);
    assertEquals(LinuxErrno.ENOSPC, e.errno());
    assertEquals("ENOSPC", e.errnoName());
    assertEquals(
        "inotify_add_watch(..) failed: ENOSPC (No space left on device): /some/dir: "
            + "the inotify watch limit fs.inotify.max_user_watches ("
            + limit
            + ") is reached; "
            + "raise it with sysctl fs.inotify.max_user_watches=N",
        e.getMessage());
  }

  /** A sysctl through a shell, independent of the reader under test. */
  private static String sysctl(String name) throws IOException {
    Process cat = new ProcessBuilder("cat", "/proc/sys/" + name).start();
    return new String(cat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
  }

  @Test
  void maskNamesCoverEveryBit() {
    assertEquals(
        "IN_ACCESS|IN_MODIFY|IN_ATTRIB|IN_CLOSE_WRITE|IN_CLOSE_NOWRITE|IN_OPEN|IN_MOVED_FROM"
            + "|IN_MOVED_TO|IN_CREATE|IN_DELETE|IN_DELETE_SELF|IN_MOVE_SELF",
        maskToString(IN_ALL_EVENTS));
    assertEquals(
        "IN_UNMOUNT|IN_Q_OVERFLOW|IN_IGNORED",
        maskToString(IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED));
    assertEquals(
        "IN_ONLYDIR|IN_DONT_FOLLOW|IN_EXCL_UNLINK|IN_MASK_CREATE|IN_MASK_ADD|IN_ISDIR|IN_ONESHOT",
        maskToString(
            IN_ONLYDIR
                | IN_DONT_FOLLOW
                | IN_EXCL_UNLINK
                | IN_MASK_CREATE
                | IN_MASK_ADD
                | IN_ISDIR
                | IN_ONESHOT));
    assertEquals("IN_CREATE|0x1000", maskToString(IN_CREATE | 0x1000));
    assertEquals("0", maskToString(0));
  }
}
