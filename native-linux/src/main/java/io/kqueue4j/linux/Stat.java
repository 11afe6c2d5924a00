package io.kqueue4j.linux;

import io.kqueue4j.linux.internal.Availability;
import io.kqueue4j.linux.internal.Libraries;
import io.kqueue4j.linux.internal.NativeLibrary;
import io.kqueue4j.linux.internal.PathBytes;
import io.kqueue4j.linux.internal.Scratch;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * {@code statx(2)}: {@code stat}, {@code lstat} and {@code fstat} through the one call whose struct
 * has the same layout on every CPU.
 *
 * <p>Offsets in {@code struct statx} ({@code linux/stat.h}): {@code stx_mask} 0, {@code stx_nlink}
 * 16, {@code stx_uid} 20, {@code stx_gid} 24, {@code stx_mode} 28 (u16), {@code stx_ino} 32, {@code
 * stx_size} 40, timestamps of 16 bytes ({@code s64 tv_sec}, {@code u32 tv_nsec}) with {@code
 * stx_ctime} at 96 and {@code stx_mtime} at 112, {@code stx_dev_major} 136, {@code stx_dev_minor}
 * 140; 256 bytes in all.
 */
public final class Stat {

  /** {@code AT_FDCWD}: a relative path is resolved against the current directory. */
  public static final int AT_FDCWD = -100;
  /** {@code AT_SYMLINK_NOFOLLOW}: do not follow a final symbolic link. */
  public static final int AT_SYMLINK_NOFOLLOW = 0x100;
  /** {@code AT_EMPTY_PATH}: with an empty path, operate on the descriptor itself. */
  public static final int AT_EMPTY_PATH = 0x1000;

  /** {@code STATX_BASIC_STATS}: every field of {@code struct stat}. */
  public static final int STATX_BASIC_STATS = 0x7ff;

  static final int STATX_SIZE = 256;
  static final int NLINK = 16;
  static final int UID = 20;
  static final int GID = 24;
  static final int MODE = 28;
  static final int INO = 32;
  static final int SIZE = 40;
  static final int CTIME = 96;
  static final int MTIME = 112;
  static final int DEV_MAJOR = 136;
  static final int DEV_MINOR = 140;

  private static final byte[] EMPTY_PATH = {0};

  private Stat() {}

  /**
   * True when {@code statx} works here (probed once on {@code "/"}).
   *
   * @return whether the calls of this class can succeed (needs Linux 4.11+ and glibc 2.28+)
   */
  public static boolean isAvailable() {
    return Probe.RESULT.isAvailable();
  }

  /**
   * Why {@link #isAvailable()} is false, or null.
   *
   * @return the failure of the probe, or null when {@code statx} is available
   */
  public static Throwable unavailabilityCause() {
    return Probe.RESULT.cause();
  }

  /**
   * {@code stat(path)}: follows a final symbolic link.
   *
   * @param path the file
   * @return the attributes of the file, or of the link's target
   * @throws ErrnoException with {@code ENOENT}, {@code EACCES}, {@code ENOTDIR}, {@code ELOOP},
   *     {@code ENAMETOOLONG}, {@code ENOMEM}; the message names the path
   * @throws UnsupportedOperationException if {@link #isAvailable()} is false
   */
  public static FileStat stat(Path path) throws ErrnoException {
    return statx(AT_FDCWD, PathBytes.of(path), 0, path.toString());
  }

  /**
   * {@code lstat(path)}: a final symbolic link is reported itself.
   *
   * @param path the file
   * @return the attributes of the file, or of the link itself
   * @throws ErrnoException as {@link #stat}
   * @throws UnsupportedOperationException if {@link #isAvailable()} is false
   */
  public static FileStat lstat(Path path) throws ErrnoException {
    return statx(AT_FDCWD, PathBytes.of(path), AT_SYMLINK_NOFOLLOW, path.toString());
  }

  /**
   * {@code fstat(fd)}, as {@code statx(fd, "", AT_EMPTY_PATH)}; works on {@code O_PATH}
   * descriptors.
   *
   * @param fd an open descriptor
   * @return the attributes of the object {@code fd} refers to
   * @throws ErrnoException with {@code EBADF} if {@code fd} is not open, {@code ENOMEM}
   * @throws UnsupportedOperationException if {@link #isAvailable()} is false
   */
  public static FileStat fstat(int fd) throws ErrnoException {
    return statx(fd, EMPTY_PATH, AT_EMPTY_PATH, "fd " + fd);
  }

  private static FileStat statx(int dirfd, byte[] path, int flags, String what)
      throws ErrnoException {
    Probe.RESULT.require();
    Scratch scratch = Scratch.get().clear(STATX_SIZE);
    if (Libraries.statx()
            .functions()
            .statx(dirfd, path, flags, STATX_BASIC_STATS, scratch.address())
        < 0) {
      throw new ErrnoException("statx", NativeLibrary.errno(), what);
    }
    return decode(scratch.buffer());
  }

  static FileStat decode(ByteBuffer b) {
    return new FileStat(
        makedev(b.getInt(DEV_MAJOR), b.getInt(DEV_MINOR)),
        b.getLong(INO),
        Short.toUnsignedInt(b.getShort(MODE)),
        b.getInt(NLINK),
        b.getInt(UID),
        b.getInt(GID),
        b.getLong(SIZE),
        nanos(b, MTIME),
        nanos(b, CTIME));
  }

  /** glibc's {@code gnu_dev_makedev}: the {@code st_dev} that {@code stat(2)} would report. */
  static long makedev(int major, int minor) {
    long ma = Integer.toUnsignedLong(major);
    long mi = Integer.toUnsignedLong(minor);
    return ((ma & 0xfffff000L) << 32)
        | ((ma & 0x00000fffL) << 8)
        | ((mi & 0xffffff00L) << 12)
        | (mi & 0x000000ffL);
  }

  private static long nanos(ByteBuffer b, int offset) {
    return b.getLong(offset) * 1_000_000_000L + Integer.toUnsignedLong(b.getInt(offset + 8));
  }

  private static final class Probe {
    static final Availability RESULT =
        Availability.probe(
            "statx",
            Libraries.statx(),
            () -> {
              Scratch scratch = Scratch.get().clear(STATX_SIZE);
              if (Libraries.statx()
                      .functions()
                      .statx(AT_FDCWD, new byte[] {'/', 0}, 0, STATX_BASIC_STATS, scratch.address())
                  < 0) {
                throw new ErrnoException("statx", NativeLibrary.errno(), "/");
              }
            });
  }
}
