package io.kqueue4j.linux.fsevent;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.LibC;
import io.kqueue4j.linux.LinuxErrno;
import io.kqueue4j.linux.internal.Availability;
import io.kqueue4j.linux.internal.DirectBuffers;
import io.kqueue4j.linux.internal.FanotifyFunctions;
import io.kqueue4j.linux.internal.FanotifyLibrary;
import io.kqueue4j.linux.internal.NativeLibrary;
import io.kqueue4j.linux.internal.OwnedFd;
import io.kqueue4j.linux.internal.PathBytes;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * One fanotify group ({@code fanotify_init}) reporting directory file handles and names, with
 * filesystem-wide marks ({@code FAN_MARK_FILESYSTEM}); constants from {@code linux/fanotify.h}.
 *
 * <p>{@link #open} asks for {@code FAN_REPORT_DFID_NAME_TARGET} (5.17+): every directory-entry
 * event carries the parent's handle and name and the object's own handle, and {@code FAN_RENAME}
 * puts both halves of a rename in one event. Where the kernel refuses it, for {@code
 * FAN_REPORT_DFID_NAME | FAN_REPORT_TID} (5.9+): no object handle, renames come as {@code
 * FAN_MOVED_FROM} and {@code FAN_MOVED_TO}, and {@code pid} is the acting thread's id, which
 * pairs the two halves.
 *
 * <p>{@link #read} from one thread at a time; {@link #close()} must not race with the other calls.
 */
final class FanotifyGroup implements AutoCloseable {

  static final long FAN_MODIFY = 0x00000002L;
  static final long FAN_ATTRIB = 0x00000004L;
  static final long FAN_MOVED_FROM = 0x00000040L;
  static final long FAN_MOVED_TO = 0x00000080L;
  static final long FAN_CREATE = 0x00000100L;
  static final long FAN_DELETE = 0x00000200L;
  static final long FAN_DELETE_SELF = 0x00000400L;
  static final long FAN_MOVE_SELF = 0x00000800L;
  static final long FAN_Q_OVERFLOW = 0x00004000L;
  static final long FAN_RENAME = 0x10000000L;
  static final long FAN_ONDIR = 0x40000000L;

  static final int FAN_CLOEXEC = 0x00000001;
  static final int FAN_NONBLOCK = 0x00000002;
  static final int FAN_CLASS_NOTIF = 0x00000000;
  static final int FAN_REPORT_TID = 0x00000100;
  static final int FAN_REPORT_FID = 0x00000200;
  static final int FAN_REPORT_DIR_FID = 0x00000400;
  static final int FAN_REPORT_NAME = 0x00000800;
  static final int FAN_REPORT_TARGET_FID = 0x00001000;
  static final int FAN_REPORT_DFID_NAME = FAN_REPORT_DIR_FID | FAN_REPORT_NAME;
  static final int FAN_REPORT_DFID_NAME_TARGET =
      FAN_REPORT_DFID_NAME | FAN_REPORT_FID | FAN_REPORT_TARGET_FID;

  static final int FAN_MARK_ADD = 0x00000001;
  static final int FAN_MARK_FILESYSTEM = 0x00000100;

  static final int AT_FDCWD = -100;

  /** The events every group asks for besides the rename ones. */
  static final long BASE_MASK =
      FAN_CREATE | FAN_DELETE | FAN_MODIFY | FAN_ATTRIB | FAN_DELETE_SELF | FAN_MOVE_SELF
          | FAN_ONDIR;

  private static final int READ_BUFFER = 64 * 1024;

  private final OwnedFd fd;
  private final boolean renameEvents;
  private final long mask;
  private final ByteBuffer buffer;
  private final long bufferAddress;

  private FanotifyGroup(int fd, boolean renameEvents) {
    this.fd = new OwnedFd(fd);
    this.renameEvents = renameEvents;
    this.mask = BASE_MASK | (renameEvents ? FAN_RENAME : FAN_MOVED_FROM | FAN_MOVED_TO);
    this.buffer = DirectBuffers.allocate(READ_BUFFER);
    this.bufferAddress = DirectBuffers.address(buffer);
  }

  /**
   * A new non-blocking group: with {@code FAN_RENAME} when the kernel has it and {@code
   * allowRename}, else with separate move halves.
   */
  static FanotifyGroup open(boolean allowRename) throws ErrnoException {
    int flags = FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK;
    if (allowRename) {
      int g = functions().fanotify_init(flags | FAN_REPORT_DFID_NAME_TARGET, LibC.O_RDONLY);
      if (g >= 0) {
        return new FanotifyGroup(g, true);
      }
      int errno = NativeLibrary.errno();
      if (errno != LinuxErrno.EINVAL) {
        throw new ErrnoException("fanotify_init", errno);
      }
    }
    int g = functions().fanotify_init(flags | FAN_REPORT_DFID_NAME | FAN_REPORT_TID, LibC.O_RDONLY);
    if (g < 0) {
      throw new ErrnoException("fanotify_init", NativeLibrary.errno(),
          "FAN_REPORT_DFID_NAME | FAN_REPORT_TID (Linux 5.9+)");
    }
    return new FanotifyGroup(g, false);
  }

  int fd() {
    return fd.get();
  }

  /** Whether renames come as one {@code FAN_RENAME} event and events carry the object's handle. */
  boolean renameEvents() {
    return renameEvents;
  }

  /** Marks the file system holding directory {@code dirfd} (already open). */
  void markFilesystem(int dirfd, String what) throws ErrnoException {
    if (functions().fanotify_mark(fd.get(), FAN_MARK_ADD | FAN_MARK_FILESYSTEM, mask, dirfd, null)
        < 0) {
      throw markFailed(NativeLibrary.errno(), what);
    }
  }

  static ErrnoException markFailed(int errno, String what) {
    String why;
    if (errno == LinuxErrno.EPERM) {
      why = "filesystem-wide fanotify marks need CAP_SYS_ADMIN";
    } else if (errno == LinuxErrno.ENODEV || errno == LinuxErrno.EXDEV
        || errno == LinuxErrno.EOPNOTSUPP) {
      why = "this file system cannot report file handles to fanotify (no fsid or no export ops)";
    } else {
      why = null;
    }
    return new ErrnoException("fanotify_mark", errno, what + (why == null ? "" : ": " + why));
  }

  /**
   * One {@code read(2)} of queued events into the group's buffer.
   *
   * @return the bytes read, 0 when nothing is queued
   */
  int read() throws ErrnoException {
    int n = LibC.read(fd.get(), bufferAddress, buffer.capacity());
    return Math.max(n, 0);
  }

  /** The buffer {@link #read} fills, native order. */
  ByteBuffer buffer() {
    return buffer;
  }

  /** Closes the group; the kernel drops its marks. */
  @Override
  public void close() throws ErrnoException {
    fd.close();
  }

  /** Why filesystem-wide fanotify cannot be used here, or null; probed once. */
  static Throwable unavailabilityCause() {
    return Probe.RESULT.cause();
  }

  static FanotifyFunctions functions() {
    return FanotifyLibrary.get().functions();
  }

  /**
   * The kqueue exception for a failed probe: {@code EPERM} names {@code CAP_SYS_ADMIN}, {@code
   * EINVAL} a kernel before 5.9, {@code ENOSYS} a kernel without {@code CONFIG_FANOTIFY}.
   */
  static KQueueException toKQueue(ErrnoException e) {
    int errno;
    try {
      errno = Errno.class.getField(e.errnoName()).getInt(null);
    } catch (ReflectiveOperationException notInFreeBsd) {
      errno = Errno.EOPNOTSUPP;
    }
    String hint =
        e.errno() == LinuxErrno.EPERM
            ? "this process lacks CAP_SYS_ADMIN, which filesystem-wide fanotify marks need"
            : e.errno() == LinuxErrno.EINVAL
                ? "the kernel lacks FAN_REPORT_DFID_NAME (Linux 5.9+)"
                : e.errno() == LinuxErrno.ENOSYS
                    ? "the kernel has no fanotify (CONFIG_FANOTIFY)"
                    : e.getMessage();
    return new KQueueException(e.function(), errno, hint, e);
  }

  private static final class Probe {
    static final Availability RESULT = probe();

    private static Availability probe() {
      return Availability.probe("filesystem-wide fanotify", FanotifyLibrary.get(), () -> {
        try (FanotifyGroup g = open(true)) {
          byte[] root = PathBytes.of(Path.of("/"));
          if (functions().fanotify_mark(g.fd(), FAN_MARK_ADD | FAN_MARK_FILESYSTEM, g.mask,
              AT_FDCWD, root) < 0) {
            int errno = NativeLibrary.errno();
            if (errno == LinuxErrno.EPERM) {
              throw toKQueue(markFailed(errno, "/"));
            }
            // another reason (the root file system has no fsid): roots elsewhere may still work
          }
        } catch (ErrnoException e) {
          throw toKQueue(e);
        }
      });
    }
  }
}
