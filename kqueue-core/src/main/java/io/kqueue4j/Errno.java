package io.kqueue4j;

/**
 * FreeBSD's errno values, as {@link KQueueException#errno()} and {@code EV_ERROR} events carry
 * them on every OS.
 */
public final class Errno {
  /** Operation not permitted: the OS refuses for want of a privilege. */
  public static final int EPERM = 1;
  /**
   * No such file or directory; from {@code kevent}, no event matches a change without {@code
   * EV_ADD}.
   */
  public static final int ENOENT = 2;
  /** No such process: {@code EVFILT_PROC} on a pid that does not exist. */
  public static final int ESRCH = 3;
  /**
   * Interrupted system call. The native backend retries it as C programs do; {@code kevent} never
   * reports it.
   */
  public static final int EINTR = 4;
  /**
   * Input/output error; also the emulated kernel's answer when a filter throws, and the value of an
   * OS errno without a FreeBSD counterpart.
   */
  public static final int EIO = 5;
  /**
   * Device not configured; from {@code kevent}, a filter the emulated kernel does not implement.
   */
  public static final int ENXIO = 6;
  /** Argument list too long. */
  public static final int E2BIG = 7;
  /** Exec format error. */
  public static final int ENOEXEC = 8;
  /** Bad file descriptor: the descriptor is not open, or the queue is closed. */
  public static final int EBADF = 9;
  /** No child processes. */
  public static final int ECHILD = 10;
  /** Resource deadlock avoided (Linux: 35). */
  public static final int EDEADLK = 11;
  /** Cannot allocate memory, or a limit such as the number of timers is reached. */
  public static final int ENOMEM = 12;
  /** Permission denied. */
  public static final int EACCES = 13;
  /** Bad address; from {@code kevent}, a {@code null} entry within the change count. */
  public static final int EFAULT = 14;
  /** Device busy. */
  public static final int EBUSY = 16;
  /** File exists. */
  public static final int EEXIST = 17;
  /** Cross-device link. */
  public static final int EXDEV = 18;
  /** Operation not supported by device; from {@code kevent}, no event source for the descriptor. */
  public static final int ENODEV = 19;
  /** Not a directory. */
  public static final int ENOTDIR = 20;
  /** Is a directory. */
  public static final int EISDIR = 21;
  /** Invalid argument: a bad filter, flag combination, count or timeout. */
  public static final int EINVAL = 22;
  /** Too many open files in the system. */
  public static final int ENFILE = 23;
  /** Too many open files in the process. */
  public static final int EMFILE = 24;
  /** Inappropriate ioctl for device. */
  public static final int ENOTTY = 25;
  /** File too large. */
  public static final int EFBIG = 27;
  /** No space left on device. */
  public static final int ENOSPC = 28;
  /** Illegal seek. */
  public static final int ESPIPE = 29;
  /** Read-only file system. */
  public static final int EROFS = 30;
  /** Too many links. */
  public static final int EMLINK = 31;
  /** Broken pipe. */
  public static final int EPIPE = 32;
  /** Result too large. */
  public static final int ERANGE = 34;
  /** Resource temporarily unavailable (Linux: 11). */
  public static final int EAGAIN = 35;
  /** Operation now in progress (Linux: 115). */
  public static final int EINPROGRESS = 36;
  /** Operation already in progress (Linux: 114). */
  public static final int EALREADY = 37;
  /** Socket operation on non-socket (Linux: 88). */
  public static final int ENOTSOCK = 38;
  /** Operation not supported (Linux: 95; macOS: 102, apart from its {@code ENOTSUP}, 45). */
  public static final int EOPNOTSUPP = 45;
  /** Operation not supported: the same value as {@link #EOPNOTSUPP}, as on FreeBSD and Linux. */
  public static final int ENOTSUP = EOPNOTSUPP;
  /** Address already in use (Linux: 98). */
  public static final int EADDRINUSE = 48;
  /** Connection reset by peer (Linux: 104). */
  public static final int ECONNRESET = 54;
  /** Socket is not connected (Linux: 107). */
  public static final int ENOTCONN = 57;
  /** Operation timed out (Linux: 110). */
  public static final int ETIMEDOUT = 60;
  /** Connection refused (Linux: 111). */
  public static final int ECONNREFUSED = 61;
  /** Too many levels of symbolic links (Linux: 40). */
  public static final int ELOOP = 62;
  /** File name too long (Linux: 36). */
  public static final int ENAMETOOLONG = 63;
  /** Directory not empty (Linux: 39). */
  public static final int ENOTEMPTY = 66;
  /** Function not implemented (Linux: 38). */
  public static final int ENOSYS = 78;

  private static final String[][] TABLE = new String[100][];

  static {
    def(EPERM, "EPERM", "Operation not permitted");
    def(ENOENT, "ENOENT", "No such file or directory");
    def(ESRCH, "ESRCH", "No such process");
    def(EINTR, "EINTR", "Interrupted system call");
    def(EIO, "EIO", "Input/output error");
    def(ENXIO, "ENXIO", "Device not configured");
    def(E2BIG, "E2BIG", "Argument list too long");
    def(ENOEXEC, "ENOEXEC", "Exec format error");
    def(EBADF, "EBADF", "Bad file descriptor");
    def(ECHILD, "ECHILD", "No child processes");
    def(EDEADLK, "EDEADLK", "Resource deadlock avoided");
    def(ENOMEM, "ENOMEM", "Cannot allocate memory");
    def(EACCES, "EACCES", "Permission denied");
    def(EFAULT, "EFAULT", "Bad address");
    def(EBUSY, "EBUSY", "Device busy");
    def(EEXIST, "EEXIST", "File exists");
    def(EXDEV, "EXDEV", "Cross-device link");
    def(ENODEV, "ENODEV", "Operation not supported by device");
    def(ENOTDIR, "ENOTDIR", "Not a directory");
    def(EISDIR, "EISDIR", "Is a directory");
    def(EINVAL, "EINVAL", "Invalid argument");
    def(ENFILE, "ENFILE", "Too many open files in system");
    def(EMFILE, "EMFILE", "Too many open files");
    def(ENOTTY, "ENOTTY", "Inappropriate ioctl for device");
    def(EFBIG, "EFBIG", "File too large");
    def(ENOSPC, "ENOSPC", "No space left on device");
    def(ESPIPE, "ESPIPE", "Illegal seek");
    def(EROFS, "EROFS", "Read-only file system");
    def(EMLINK, "EMLINK", "Too many links");
    def(EPIPE, "EPIPE", "Broken pipe");
    def(ERANGE, "ERANGE", "Result too large");
    def(EAGAIN, "EAGAIN", "Resource temporarily unavailable");
    def(EINPROGRESS, "EINPROGRESS", "Operation now in progress");
    def(EALREADY, "EALREADY", "Operation already in progress");
    def(ENOTSOCK, "ENOTSOCK", "Socket operation on non-socket");
    def(EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported");
    def(EADDRINUSE, "EADDRINUSE", "Address already in use");
    def(ECONNRESET, "ECONNRESET", "Connection reset by peer");
    def(ENOTCONN, "ENOTCONN", "Socket is not connected");
    def(ETIMEDOUT, "ETIMEDOUT", "Operation timed out");
    def(ECONNREFUSED, "ECONNREFUSED", "Connection refused");
    def(ELOOP, "ELOOP", "Too many levels of symbolic links");
    def(ENAMETOOLONG, "ENAMETOOLONG", "File name too long");
    def(ENOTEMPTY, "ENOTEMPTY", "Directory not empty");
    def(ENOSYS, "ENOSYS", "Function not implemented");
  }

  private Errno() {}

  private static void def(int errno, String name, String description) {
    TABLE[errno] = new String[] {name, description};
  }

  /**
   * The symbolic name, such as {@code EBADF}, or {@code errno N} for an unknown value.
   *
   * @param errno a FreeBSD errno value
   * @return the constant's name in this class, or {@code "errno "} and the number
   */
  public static String name(int errno) {
    String[] entry = entry(errno);
    return entry == null ? "errno " + errno : entry[0];
  }

  /**
   * The strerror text, such as {@code Bad file descriptor}.
   *
   * @param errno a FreeBSD errno value
   * @return FreeBSD's message for it, or {@code "Unknown error"} for a value without a constant
   *     here
   */
  public static String description(int errno) {
    String[] entry = entry(errno);
    return entry == null ? "Unknown error" : entry[1];
  }

  private static String[] entry(int errno) {
    return errno > 0 && errno < TABLE.length ? TABLE[errno] : null;
  }
}
