package io.kqueue4j.linux.vnode;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.linux.ErrnoException;
import java.util.HashMap;
import java.util.Map;

/** Linux errno values as FreeBSD's, by symbolic name; names FreeBSD's {@link Errno} lacks are EIO. */
final class FreeBsdErrors {
  private static final Map<String, Integer> BY_NAME = new HashMap<>();

  static {
    for (int value = 1; value < 100; value++) {
      String name = Errno.name(value);
      if (!name.startsWith("errno ")) {
        BY_NAME.put(name, value);
      }
    }
    BY_NAME.put("EWOULDBLOCK", Errno.EAGAIN);
    BY_NAME.put("ENOTSUP", Errno.EOPNOTSUPP);
  }

  private FreeBsdErrors() {}

  /** The kqueue exception for a failed Linux call: FreeBSD's errno, the call's message, its cause. */
  static KQueueException of(ErrnoException e, String detail) {
    Integer errno = BY_NAME.get(e.errnoName());
    return new KQueueException("kevent", errno != null ? errno : Errno.EIO,
        detail + ": " + e.getMessage(), e);
  }
}
