package io.kqueue4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Pins the {@code struct statx} offsets against what the JDK reads through {@code stat(2)}. */
@EnabledOnOs(OS.LINUX)
class StatTest {

  @TempDir Path dir;

  @Test
  void isProbedAvailable() {
    assertTrue(Stat.isAvailable());
    assertNull(Stat.unavailabilityCause());
  }

  @Test
  void everyFieldMatchesTheJdksStat() throws Exception {
    Path file = Files.write(dir.resolve("f"), new byte[12345]);
    Files.setLastModifiedTime(
        file, FileTime.from(Instant.ofEpochSecond(1_600_000_000L, 123_456_789L)));
    Files.createLink(dir.resolve("second-name"), file);

    FileStat stat = Stat.stat(file);
    assertMatchesJdk(file, stat, new LinkOption[0]);
    assertEquals(12345, stat.size());
    assertEquals(2, stat.nlink());
    assertEquals(1_600_000_000_123_456_789L, stat.mtimeNanos());
    assertTrue(stat.isRegularFile());
  }

  @Test
  void linkCountFollowsLinksAndUnlinks() throws Exception {
    Path file = Files.createFile(dir.resolve("f"));
    assertEquals(1, Stat.lstat(file).nlink());
    Files.createLink(dir.resolve("g"), file);
    assertEquals(2, Stat.lstat(file).nlink());
    Files.delete(dir.resolve("g"));
    assertEquals(1, Stat.lstat(file).nlink());
    Path sub = Files.createDirectory(dir.resolve("sub"));
    Files.createDirectory(sub.resolve("child"));
    assertEquals(3, Stat.stat(sub).nlink());
    assertTrue(Stat.stat(sub).isDirectory());
  }

  @Test
  void lstatReportsTheLinkStatFollowsIt() throws Exception {
    Path target = Files.writeString(dir.resolve("target"), "abc");
    Path link = Files.createSymbolicLink(dir.resolve("link"), target);
    FileStat linkStat = Stat.lstat(link);
    assertTrue(linkStat.isSymbolicLink());
    assertFalse(linkStat.isRegularFile());
    assertMatchesJdk(link, linkStat, new LinkOption[] {LinkOption.NOFOLLOW_LINKS});
    assertEquals(Stat.stat(target), Stat.stat(link));
  }

  @Test
  void fstatOfAnOPathDescriptorEqualsStat() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "hello");
    int fd = LibC.open(file, LibC.O_PATH | LibC.O_CLOEXEC);
    try {
      assertEquals(Stat.stat(file), Stat.fstat(fd));
    } finally {
      LibC.close(fd);
    }
  }

  @Test
  void ctimeMovesOnAttributeChange() throws Exception {
    Path file = Files.createFile(dir.resolve("f"));
    long before = Stat.stat(file).ctimeNanos();
    Files.setAttribute(file, "unix:mode", 0600);
    FileStat after = Stat.stat(file);
    assertTrue(after.ctimeNanos() >= before);
    assertEquals(0600 | FileStat.S_IFREG, after.mode());
    assertEquals(
        ((FileTime) Files.getAttribute(file, "unix:ctime")).to(TimeUnit.NANOSECONDS),
        after.ctimeNanos());
  }

  @Test
  void missingPathIsEnoentAndBadFdIsEbadf() {
    Path missing = dir.resolve("missing");
    ErrnoException e = assertThrows(ErrnoException.class, () -> Stat.lstat(missing));
    assertEquals(LinuxErrno.ENOENT, e.errno());
    assertEquals(
        "statx(..) failed: ENOENT (No such file or directory): " + missing, e.getMessage());
    assertEquals(
        LinuxErrno.EBADF, assertThrows(ErrnoException.class, () -> Stat.fstat(-1)).errno());
  }

  @Test
  void makedevEncodesAsGlibc() { // expected values printed by a C program using sys/sysmacros.h
    assertEquals(0x801L, Stat.makedev(8, 1));
    assertEquals(0x110300L, Stat.makedev(259, 0x100));
    assertEquals(0x100000000000L, Stat.makedev(0x1000, 0));
    assertEquals(0xffffffffffffffffL, Stat.makedev(-1, -1));
  }

  private static void assertMatchesJdk(Path path, FileStat stat, LinkOption[] options)
      throws Exception {
    Map<String, Object> unix = Files.readAttributes(path, "unix:*", options);
    assertEquals(unix.get("dev"), stat.dev(), "dev");
    assertEquals(unix.get("ino"), stat.ino(), "ino");
    assertEquals(unix.get("mode"), stat.mode(), "mode");
    assertEquals(unix.get("nlink"), stat.nlink(), "nlink");
    assertEquals(unix.get("uid"), stat.uid(), "uid");
    assertEquals(unix.get("gid"), stat.gid(), "gid");
    assertEquals(unix.get("size"), stat.size(), "size");
    assertEquals(
        ((FileTime) unix.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS),
        stat.mtimeNanos(),
        "mtime");
    assertEquals(
        ((FileTime) unix.get("ctime")).to(TimeUnit.NANOSECONDS), stat.ctimeNanos(), "ctime");
  }
}
