package io.kqueue4j.kernel;

import io.kqueue4j.KQueueException;

/**
 * A change that failed in {@link FilterOps#attach}: its error entry echoes {@code fflags} 0, as
 * FreeBSD's does, because the kernel had moved them into the knote.
 */
final class AttachError extends KQueueException {
  private static final long serialVersionUID = 1L;

  AttachError(KQueueException cause) {
    super("kevent", cause.errno(), detail(cause), cause);
  }

  AttachError(int errno, String detail, Throwable cause) {
    super("kevent", errno, detail, cause);
  }

  private static String detail(KQueueException cause) {
    String message = cause.getMessage();
    int colon = message.indexOf("): ");
    return colon < 0 ? null : message.substring(colon + 3);
  }
}
