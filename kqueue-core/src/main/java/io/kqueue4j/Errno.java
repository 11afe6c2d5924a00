package io.kqueue4j;

/**
 * FreeBSD's errno values, as {@link KQueueException#errno()} and {@code EV_ERROR} events carry
 * them on every OS.
 */
public final class Errno {
  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int ESRCH = 3;
  public static final int EINTR = 4;
  public static final int EIO = 5;
  public static final int ENXIO = 6;
  public static final int E2BIG = 7;
  public static final int ENOEXEC = 8;
  public static final int EBADF = 9;
  public static final int ECHILD = 10;
  public static final int EDEADLK = 11;
  public static final int ENOMEM = 12;
  public static final int EACCES = 13;
  public static final int EFAULT = 14;
  public static final int EBUSY = 16;
  public static final int EEXIST = 17;
  public static final int EXDEV = 18;
  public static final int ENODEV = 19;
  public static final int ENOTDIR = 20;
  public static final int EISDIR = 21;
  public static final int EINVAL = 22;
  public static final int ENFILE = 23;
  public static final int EMFILE = 24;
  public static final int ENOTTY = 25;
  public static final int EFBIG = 27;
  public static final int ENOSPC = 28;
  public static final int ESPIPE = 29;
  public static final int EROFS = 30;
  public static final int EMLINK = 31;
  public static final int EPIPE = 32;
  public static final int ERANGE = 34;
  public static final int EAGAIN = 35;
  public static final int EINPROGRESS = 36;
  public static final int EALREADY = 37;
  public static final int ENOTSOCK = 38;
  public static final int EOPNOTSUPP = 45;
  public static final int ENOTSUP = EOPNOTSUPP;
  public static final int EADDRINUSE = 48;
  public static final int ECONNRESET = 54;
  public static final int ENOTCONN = 57;
  public static final int ETIMEDOUT = 60;
  public static final int ECONNREFUSED = 61;
  public static final int ELOOP = 62;
  public static final int ENAMETOOLONG = 63;
  public static final int ENOTEMPTY = 66;
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

  /** The symbolic name, such as {@code EBADF}, or {@code errno N} for an unknown value. */
  public static String name(int errno) {
    String[] entry = entry(errno);
    return entry == null ? "errno " + errno : entry[0];
  }

  /** The strerror text, such as {@code Bad file descriptor}. */
  public static String description(int errno) {
    String[] entry = entry(errno);
    return entry == null ? "Unknown error" : entry[1];
  }

  private static String[] entry(int errno) {
    return errno > 0 && errno < TABLE.length ? TABLE[errno] : null;
  }
}
