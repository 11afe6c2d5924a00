package io.kqueue4j.linux;

import java.io.IOException;

/**
 * A failed Linux call: the C function's name and the {@code errno} it set, with a message such as
 * {@code epoll_ctl(..) failed: EBADF (Bad file descriptor)}.
 *
 * <p>{@link #errno()} is Linux's number ({@link LinuxErrno}); the kqueue layer translates it to
 * FreeBSD's by {@link #errnoName()}.
 */
public final class ErrnoException extends IOException {

  private static final long serialVersionUID = 1L;

  private final String function;
  private final int errno;

  /** {@code function(..) failed: NAME (description)}. */
  public ErrnoException(String function, int errno) {
    this(function, errno, null);
  }

  /** {@code function(..) failed: NAME (description): detail}, the detail naming the object. */
  public ErrnoException(String function, int errno, String detail) {
    super(
        function
            + "(..) failed: "
            + LinuxErrno.name(errno)
            + " ("
            + LinuxErrno.description(errno)
            + ")"
            + (detail == null ? "" : ": " + detail));
    this.function = function;
    this.errno = errno;
  }

  /** The Linux {@code errno} value. */
  public int errno() {
    return errno;
  }

  /** The symbolic name of {@link #errno()}, e.g. {@code "ENOSPC"}. */
  public String errnoName() {
    return LinuxErrno.name(errno);
  }

  /** The C function that failed, e.g. {@code "inotify_add_watch"}. */
  public String function() {
    return function;
  }
}
