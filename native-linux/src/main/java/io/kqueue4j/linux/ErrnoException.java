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

  /** The C function that failed, e.g. {@code "epoll_ctl"}. */
  private final String function;

  /** The Linux {@code errno} the function set. */
  private final int errno;

  /**
   * {@code function(..) failed: NAME (description)}.
   *
   * @param function the C function that failed, e.g. {@code "epoll_ctl"}
   * @param errno the Linux {@code errno} it set
   */
  public ErrnoException(String function, int errno) {
    this(function, errno, null);
  }

  /**
   * {@code function(..) failed: NAME (description): detail}, the detail naming the object.
   *
   * @param function the C function that failed, e.g. {@code "epoll_ctl"}
   * @param errno the Linux {@code errno} it set
   * @param detail what the call was about, such as a path or descriptor; null for none
   */
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

  /**
   * The Linux {@code errno} value.
   *
   * @return the errno, as in {@link LinuxErrno}
   */
  public int errno() {
    return errno;
  }

  /**
   * The symbolic name of {@link #errno()}, e.g. {@code "ENOSPC"}.
   *
   * @return the name from {@link LinuxErrno#name}
   */
  public String errnoName() {
    return LinuxErrno.name(errno);
  }

  /**
   * The C function that failed, e.g. {@code "inotify_add_watch"}.
   *
   * @return the function name, without parentheses
   */
  public String function() {
    return function;
  }
}
