package io.kqueue4j;

import java.io.IOException;

/**
 * A failed kqueue operation, carrying FreeBSD's errno. The message names the call, the symbolic
 * errno and its meaning, then any detail: {@code kevent(..) failed: EBADF (Bad file descriptor)}.
 */
public class KQueueException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int errno;

  /**
   * @param call the call that failed, such as {@code kevent}
   * @param errno FreeBSD's errno value (see {@link Errno})
   * @param detail what was wrong, or {@code null}
   */
  public KQueueException(String call, int errno, String detail) {
    super(message(call, errno, detail));
    this.errno = errno;
  }

  /** The same, with the underlying cause. */
  public KQueueException(String call, int errno, String detail, Throwable cause) {
    super(message(call, errno, detail), cause);
    this.errno = errno;
  }

  /** FreeBSD's errno value of this failure. */
  public int errno() {
    return errno;
  }

  private static String message(String call, int errno, String detail) {
    String base =
        call + "(..) failed: " + Errno.name(errno) + " (" + Errno.description(errno) + ")";
    return detail == null ? base : base + ": " + detail;
  }
}
