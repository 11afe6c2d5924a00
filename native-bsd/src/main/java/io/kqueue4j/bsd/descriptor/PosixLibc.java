package io.kqueue4j.bsd.descriptor;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.bsd.internal.Dialect;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Arrays;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.Runtime;

/**
 * The descriptor calls of one OS's C library with that OS's {@link OsFlags}. A failed call throws a
 * {@link KQueueException} carrying FreeBSD's errno ({@link Dialect#errnoFromOs}). {@code EINTR} is
 * retried for {@code open}, {@code pipe}, {@code read} and {@code write}, never for {@code close}
 * (FreeBSD and Linux have released the descriptor by then, and its number may already be reused).
 *
 * <p>Thread-safe: it holds no mutable state, and errno is saved per thread.
 */
final class PosixLibc {
  /** {@code EINTR} is 4 on every OS here. */
  private static final int OS_EINTR = 4;
  /** The JDK encodes file names with {@code sun.jnu.encoding}, not with {@code file.encoding}. */
  private static final Charset FILE_NAMES = fileNameCharset();

  private final DescriptorCalls calls;
  private final Runtime runtime;
  private final Dialect dialect;
  private final OsFlags flags;
  private final boolean hasPipe2;

  PosixLibc(DescriptorCalls calls, Dialect dialect, boolean hasPipe2) {
    this.calls = calls;
    this.runtime = Runtime.getRuntime(calls);
    this.dialect = dialect;
    this.flags = OsFlags.of(dialect);
    this.hasPipe2 = hasPipe2;
  }

  /**
   * Binds the C library with {@code dialect}'s constants, and probes for {@code pipe2}.
   *
   * @throws UnsatisfiedLinkError when the C library cannot be loaded
   */
  static PosixLibc bind(Dialect dialect) {
    DescriptorCalls calls =
        LibraryLoader.create(DescriptorCalls.class).failImmediately().load("c");
    return new PosixLibc(calls, dialect, hasPipe2(calls));
  }

  /**
   * The dialect of {@code os}, with {@link Dialect#LIBKQUEUE} standing for Linux (whose errno
   * values it translates), or null for an OS without known constants.
   */
  static Dialect dialectOf(Platform.OS os) {
    switch (os) {
      case FREEBSD:
        return Dialect.FREEBSD;
      case DARWIN:
        return Dialect.MACOS;
      case NETBSD:
        return Dialect.NETBSD;
      case OPENBSD:
        return Dialect.OPENBSD;
      case LINUX:
        return Dialect.LIBKQUEUE;
      default:
        return null;
    }
  }

  /**
   * Whether libc has {@code pipe2}: it is called with flags every implementation refuses ({@code
   * EINVAL}), so that it creates nothing; a missing symbol fails with a {@link LinkageError}.
   */
  static boolean hasPipe2(DescriptorCalls calls) {
    int[] fds = {-1, -1};
    try {
      if (calls.pipe2(fds, -1) == 0) { // not expected; give the descriptors back
        calls.close(fds[0]);
        calls.close(fds[1]);
      }
      return true;
    } catch (LinkageError e) {
      return false;
    }
  }

  Dialect dialect() {
    return dialect;
  }

  OsFlags flags() {
    return flags;
  }

  /** Whether {@link #pipe()} uses {@code pipe2}, rather than {@code pipe} and {@code fcntl}. */
  boolean hasPipe2() {
    return hasPipe2;
  }

  /**
   * {@code open(path, O_RDONLY | O_CLOEXEC [| O_EVTONLY])}.
   *
   * @throws KQueueException with the translated errno, naming the path; {@code EINVAL} for a path
   *     of another file system than the default one
   */
  int open(Path path) throws KQueueException {
    if (path.getFileSystem() != FileSystems.getDefault()) {
      throw new KQueueException(
          "open", Errno.EINVAL, "not a path of the default file system: " + path.toUri());
    }
    byte[] bytes = path.toString().getBytes(FILE_NAMES);
    byte[] cString = Arrays.copyOf(bytes, bytes.length + 1);
    while (true) {
      int fd = calls.open(cString, flags.openFlags());
      if (fd >= 0) {
        return fd;
      }
      int errno = osErrno();
      if (errno != OS_EINTR) {
        throw new KQueueException("open", dialect.errnoFromOs(errno), path.toString());
      }
    }
  }

  /**
   * A pipe whose ends are close-on-exec: {@code pipe2(O_CLOEXEC)} where libc has it, else {@code
   * pipe} then {@code fcntl(F_SETFD, FD_CLOEXEC)} on each end (macOS: a child forked between the
   * two calls inherits the ends).
   */
  int[] pipe() throws KQueueException {
    int[] fds = new int[2];
    while ((hasPipe2 ? calls.pipe2(fds, flags.cloexec()) : calls.pipe(fds)) != 0) {
      int errno = osErrno();
      if (errno != OS_EINTR) {
        throw new KQueueException(hasPipe2 ? "pipe2" : "pipe", dialect.errnoFromOs(errno), null);
      }
    }
    if (!hasPipe2) {
      try {
        fcntlSet(fds[0], OsFlags.F_SETFD, OsFlags.FD_CLOEXEC);
        fcntlSet(fds[1], OsFlags.F_SETFD, OsFlags.FD_CLOEXEC);
      } catch (KQueueException e) {
        calls.close(fds[0]);
        calls.close(fds[1]);
        throw e;
      }
    }
    return fds;
  }

  /** Whether {@code fd} is open: {@code fcntl(fd, F_GETFD)} succeeds. */
  boolean isOpen(int fd) {
    return fd >= 0 && calls.fcntl(fd, OsFlags.F_GETFD, 0) != -1;
  }

  /** The {@code FD_*} flags of {@code fd} ({@code F_GETFD}). */
  int descriptorFlags(int fd) throws KQueueException {
    return fcntlGet(fd, OsFlags.F_GETFD);
  }

  /** The file status flags of {@code fd} ({@code F_GETFL}): access mode, {@code O_NONBLOCK}. */
  int statusFlags(int fd) throws KQueueException {
    return fcntlGet(fd, OsFlags.F_GETFL);
  }

  /** Adds {@code O_NONBLOCK} to {@code fd}'s status flags. */
  void setNonBlocking(int fd) throws KQueueException {
    fcntlSet(fd, OsFlags.F_SETFL, statusFlags(fd) | flags.nonblock());
  }

  /**
   * {@code close(2)}.
   *
   * @throws KQueueException with the translated errno ({@code EBADF} when {@code fd} is not open)
   */
  void close(int fd) throws KQueueException {
    if (calls.close(fd) != 0) {
      throw new KQueueException("close", dialect.errnoFromOs(osErrno()), "descriptor " + fd);
    }
  }

  /**
   * Writes one byte to a non-blocking descriptor.
   *
   * @return false when the descriptor has no room ({@code EAGAIN})
   */
  boolean writeByte(int fd) throws KQueueException {
    byte[] one = {1};
    while (true) {
      if (calls.write(fd, one, 1) == 1) {
        return true;
      }
      int errno = dialect.errnoFromOs(osErrno());
      if (errno == Errno.EAGAIN) {
        return false;
      }
      if (errno != Errno.EINTR) {
        throw new KQueueException("write", errno, "descriptor " + fd);
      }
    }
  }

  /** Reads a non-blocking descriptor until it has nothing more ({@code EAGAIN}) or ends. */
  void drain(int fd) throws KQueueException {
    byte[] buffer = new byte[64];
    while (true) {
      long n = calls.read(fd, buffer, buffer.length);
      if (n == 0) {
        return;
      }
      if (n < 0) {
        int errno = dialect.errnoFromOs(osErrno());
        if (errno == Errno.EAGAIN) {
          return;
        }
        if (errno != Errno.EINTR) {
          throw new KQueueException("read", errno, "descriptor " + fd);
        }
      }
    }
  }

  private int fcntlGet(int fd, int cmd) throws KQueueException {
    int value = calls.fcntl(fd, cmd, 0);
    if (value == -1) {
      throw new KQueueException("fcntl", dialect.errnoFromOs(osErrno()), "descriptor " + fd);
    }
    return value;
  }

  private void fcntlSet(int fd, int cmd, int arg) throws KQueueException {
    if (calls.fcntl(fd, cmd, arg) == -1) {
      throw new KQueueException("fcntl", dialect.errnoFromOs(osErrno()), "descriptor " + fd);
    }
  }

  private int osErrno() {
    return LastError.getLastError(runtime);
  }

  private static Charset fileNameCharset() {
    String name = System.getProperty("sun.jnu.encoding");
    try {
      return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
    } catch (IllegalArgumentException e) {
      return StandardCharsets.UTF_8;
    }
  }
}
