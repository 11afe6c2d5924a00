package io.kqueue4j;

import java.io.IOException;

/**
 * A failed kqueue operation, carrying FreeBSD's errno. The message names the call, the symbolic
 * errno and its meaning, then any detail: {@code kevent(..) failed: EBADF (Bad file descriptor)}.
 */
public class KQueueException extends IOException {
  private static final long serialVersionUID = 1L;

  /** FreeBSD's errno value of this failure, as {@link #errno()} returns it. */
  private final int errno;

  /**
   * A failure of {@code call} with {@code errno}; the message is built as the class description
   * shows.
   *
   * @param call the call that failed, such as {@code kevent}
   * @param errno FreeBSD's errno value (see {@link Errno})
   * @param detail what was wrong, or {@code null}
   */
  public KQueueException(String call, int errno, String detail) {
    super(message(call, errno, detail));
    this.errno = errno;
  }

  /**
   * The same, with the underlying cause.
   *
   * @param call the call that failed, such as {@code kevent}
   * @param errno FreeBSD's errno value (see {@link Errno})
   * @param detail what was wrong, or {@code null}
   * @param cause the exception that led to this failure, or {@code null}
   */
  public KQueueException(String call, int errno, String detail, Throwable cause) {
    super(message(call, errno, detail), cause);
    this.errno = errno;
  }

  /**
   * FreeBSD's errno value of this failure.
   *
   * @return the errno, one of the {@link Errno} constants or another FreeBSD value
   */
  public int errno() {
    return errno;
  }

  private static String message(String call, int errno, String detail) {
    String base =
        call + "(..) failed: " + Errno.name(errno) + " (" + Errno.description(errno) + ")";
    return detail == null ? base : base + ": " + detail;
  }
}
