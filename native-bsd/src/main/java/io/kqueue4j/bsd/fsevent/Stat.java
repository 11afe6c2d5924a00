package io.kqueue4j.bsd.fsevent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * What {@code lstat} says about one directory entry, as far as the watcher needs it: identity
 * ({@code st_dev}, {@code st_ino}, file type, birth time) and the attributes events report.
 *
 * @param birth {@code st_birthtime} where the JDK reads it (macOS, the BSDs); the modification time
 *     where it does not (Linux before JDK 22): either way a value a rename keeps
 */
record Stat(long dev, long ino, int mode, int uid, int gid, FileTime birth) {
  private static final int S_IFMT = 0170000;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFREG = 0100000;
  private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

  /** {@code lstat(path)}, or null when there is nothing there any more. */
  static Stat of(Path path) throws IOException {
    try {
      Map<String, Object> a =
          Files.readAttributes(path, "unix:dev,ino,mode,uid,gid,creationTime", NOFOLLOW);
      return new Stat(
          ((Number) a.get("dev")).longValue(),
          ((Number) a.get("ino")).longValue(),
          ((Number) a.get("mode")).intValue(),
          ((Number) a.get("uid")).intValue(),
          ((Number) a.get("gid")).intValue(),
          (FileTime) a.get("creationTime"));
    } catch (NoSuchFileException | NotDirectoryException e) {
      return null;
    }
  }

  boolean isDirectory() {
    return (mode & S_IFMT) == S_IFDIR;
  }

  boolean isRegularFile() {
    return (mode & S_IFMT) == S_IFREG;
  }

  /**
   * Whether {@code other} is the same object, possibly under another name: same device, inode, type
   * and birth time. The birth time keeps a new file that reused a deleted file's inode number from
   * passing for the deleted file renamed.
   */
  boolean sameObject(Stat other) {
    return other != null
        && dev == other.dev
        && ino == other.ino
        && (mode & S_IFMT) == (other.mode & S_IFMT)
        && birth.equals(other.birth);
  }

  /** Whether owner, group or permission bits differ ({@code FSE_CHOWN} rather than a stat change). */
  boolean ownershipDiffers(Stat other) {
    return uid != other.uid || gid != other.gid || (mode & 07777) != (other.mode & 07777);
  }
}
