package io.kqueue4j.bsd.internal;

import io.kqueue4j.KQueueException;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * {@code open(2)} and {@code close(2)} of the C library, for the descriptors that native {@code
 * EVFILT_VNODE} knotes watch. The {@code O_*} values differ per OS and are chosen by {@link
 * Dialect}: every open is {@code O_RDONLY | O_NONBLOCK | O_CLOEXEC} (non-blocking so that a FIFO
 * put in a file's place never blocks the caller), plus {@code O_EVTONLY} on macOS (the descriptor
 * does not keep a volume from being unmounted) and {@code O_NOFOLLOW} unless asked to follow.
 * Errors are {@link KQueueException}s with FreeBSD's errno. Thread-safe.
 */
public final class LibcFiles {

  /** The two calls bound. */
  public interface Calls {
    /** {@code open(2)}: a descriptor, or -1 with errno set. */
    int open(String path, int flags);

    /** {@code close(2)}: 0, or -1 with errno set. */
    int close(int fd);
  }

  private final Calls calls;
  private final Runtime runtime;
  private final Dialect dialect;
  private final int flags;
  private final int noFollow;

  LibcFiles(Calls calls, Dialect dialect) {
    this.calls = calls;
    this.runtime = Runtime.getRuntime(calls);
    this.dialect = dialect;
    this.flags = openFlags(dialect);
    this.noFollow = noFollowFlag(dialect);
  }

  /**
   * Binds the C library for {@code dialect}'s constants.
   *
   * @throws UnsatisfiedLinkError when the C library cannot be loaded
   */
  public static LibcFiles bind(Dialect dialect) {
    return new LibcFiles(LibraryLoader.create(Calls.class).failImmediately().load("c"), dialect);
  }

  /** {@code O_RDONLY | O_NONBLOCK | O_CLOEXEC}, and {@code O_EVTONLY} on macOS. */
  static int openFlags(Dialect dialect) {
    switch (dialect) {
      case FREEBSD:
        return 0x0004 | 0x00100000; // O_NONBLOCK | O_CLOEXEC (sys/fcntl.h)
      case MACOS:
        return 0x0004 | 0x01000000 | 0x8000; // O_NONBLOCK | O_CLOEXEC | O_EVTONLY
      case NETBSD:
        return 0x0004 | 0x00400000; // O_NONBLOCK | O_CLOEXEC
      case OPENBSD:
        return 0x0004 | 0x10000; // O_NONBLOCK | O_CLOEXEC
      case LIBKQUEUE:
        return 0x800 | 0x80000; // Linux: O_NONBLOCK | O_CLOEXEC
      default:
        throw new AssertionError(dialect);
    }
  }

  /** {@code O_NOFOLLOW}: 0x100 on the BSDs and macOS, 0x20000 on Linux. */
  static int noFollowFlag(Dialect dialect) {
    return dialect == Dialect.LIBKQUEUE ? 0x20000 : 0x0100;
  }

  /**
   * Opens {@code path} for watching.
   *
   * @throws KQueueException with the translated errno, naming the path
   */
  public int open(String path, boolean follow) throws KQueueException {
    int fd = calls.open(path, follow ? flags : flags | noFollow);
    if (fd < 0) {
      throw new KQueueException("open", dialect.errnoFromOs(LastError.getLastError(runtime)), path);
    }
    return fd;
  }

  /** {@code close(2)}; 0, or the translated errno. */
  public int close(int fd) {
    return calls.close(fd) == 0 ? 0 : dialect.errnoFromOs(LastError.getLastError(runtime));
  }
}
