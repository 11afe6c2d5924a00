package io.kqueue4j.linux;

/**
 * The attributes {@link Stat} reads from {@code struct statx}: what {@code EVFILT_VNODE} compares
 * to derive {@code NOTE_LINK}, {@code NOTE_ATTRIB}, {@code NOTE_EXTEND}, {@code NOTE_WRITE}, and
 * what a recursive watcher uses to recognise an inode.
 *
 * @param dev {@code st_dev} of the containing file system, glibc's {@code makedev} encoding (equal
 *     to {@code Files.getAttribute(path, "unix:dev")})
 * @param ino the inode number
 * @param mode file type and permission bits ({@code S_IFMT}, ...)
 * @param nlink the hard link count
 * @param uid owner
 * @param gid group
 * @param size size in bytes
 * @param mtimeNanos last modification, nanoseconds since the epoch
 * @param ctimeNanos last status change, nanoseconds since the epoch
 */
public record FileStat(
    long dev,
    long ino,
    int mode,
    int nlink,
    int uid,
    int gid,
    long size,
    long mtimeNanos,
    long ctimeNanos) {

  /** {@code S_IFMT}: the mask of the file type bits in {@link #mode()}. */
  public static final int S_IFMT = 0170000;
  /** {@code S_IFSOCK}: socket. */
  public static final int S_IFSOCK = 0140000;
  /** {@code S_IFLNK}: symbolic link. */
  public static final int S_IFLNK = 0120000;
  /** {@code S_IFREG}: regular file. */
  public static final int S_IFREG = 0100000;
  /** {@code S_IFBLK}: block device. */
  public static final int S_IFBLK = 0060000;
  /** {@code S_IFDIR}: directory. */
  public static final int S_IFDIR = 0040000;
  /** {@code S_IFCHR}: character device. */
  public static final int S_IFCHR = 0020000;
  /** {@code S_IFIFO}: FIFO (named pipe). */
  public static final int S_IFIFO = 0010000;

  /**
   * {@code S_ISDIR(mode)}.
   *
   * @return whether the file type is {@link #S_IFDIR}
   */
  public boolean isDirectory() {
    return (mode & S_IFMT) == S_IFDIR;
  }

  /**
   * {@code S_ISREG(mode)}.
   *
   * @return whether the file type is {@link #S_IFREG}
   */
  public boolean isRegularFile() {
    return (mode & S_IFMT) == S_IFREG;
  }

  /**
   * {@code S_ISLNK(mode)}; only a stat that did not follow the link can see one.
   *
   * @return whether the file type is {@link #S_IFLNK}
   */
  public boolean isSymbolicLink() {
    return (mode & S_IFMT) == S_IFLNK;
  }
}
