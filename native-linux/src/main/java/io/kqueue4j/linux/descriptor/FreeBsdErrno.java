package io.kqueue4j.linux.descriptor;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.LinuxErrno;
import java.util.HashMap;
import java.util.Map;

/**
 * Linux errno values translated to FreeBSD's at the boundary, by symbolic name: every name {@link
 * Errno} knows, plus the network errors a socket can report in {@code fflags} with {@code EV_EOF}
 * ({@code so_error}), which {@code Errno} does not list. A Linux errno FreeBSD lacks becomes {@code
 * EIO}.
 */
final class FreeBsdErrno {
  /** FreeBSD {@code sys/errno.h} values of names {@link Errno} does not define. */
  private static final Object[][] EXTRA = {
    {"ETXTBSY", 26}, {"EDOM", 33}, {"EDESTADDRREQ", 39}, {"EMSGSIZE", 40}, {"EPROTOTYPE", 41},
    {"ENOPROTOOPT", 42}, {"EPROTONOSUPPORT", 43}, {"ESOCKTNOSUPPORT", 44}, {"EPFNOSUPPORT", 46},
    {"EAFNOSUPPORT", 47}, {"EADDRNOTAVAIL", 49}, {"ENETDOWN", 50}, {"ENETUNREACH", 51},
    {"ENETRESET", 52}, {"ECONNABORTED", 53}, {"ENOBUFS", 55}, {"EISCONN", 56}, {"ESHUTDOWN", 58},
    {"ETOOMANYREFS", 59}, {"EHOSTDOWN", 64}, {"EHOSTUNREACH", 65}, {"EUSERS", 68}, {"EDQUOT", 69},
    {"ESTALE", 70}, {"EREMOTE", 71}, {"ENOLCK", 77}, {"EIDRM", 82}, {"ENOMSG", 83},
    {"EOVERFLOW", 84}, {"ECANCELED", 85}, {"EILSEQ", 86}, {"EBADMSG", 89}, {"EMULTIHOP", 90},
    {"ENOLINK", 91}, {"EPROTO", 92}, {"ENOTRECOVERABLE", 95}, {"EOWNERDEAD", 96},
  };

  private static final Map<String, Integer> BY_NAME = table();

  private FreeBsdErrno() {}

  private static Map<String, Integer> table() {
    Map<String, Integer> map = new HashMap<>();
    for (int value = 1; value < 100; value++) {
      String name = Errno.name(value);
      if (!name.startsWith("errno ")) {
        map.put(name, value);
      }
    }
    for (Object[] entry : EXTRA) {
      map.putIfAbsent((String) entry[0], (Integer) entry[1]);
    }
    map.put("EWOULDBLOCK", Errno.EAGAIN);
    map.put("ENOTSUP", Errno.EOPNOTSUPP);
    return map;
  }

  /** FreeBSD's errno for Linux's {@code linuxErrno}; 0 stays 0, unknown values become EIO. */
  static int of(int linuxErrno) {
    if (linuxErrno == 0) {
      return 0;
    }
    Integer value = BY_NAME.get(LinuxErrno.name(linuxErrno));
    return value != null ? value : Errno.EIO;
  }

  /** The kqueue exception for a failed Linux call, with FreeBSD's errno and the call as cause. */
  static KQueueException exception(String call, ErrnoException e, String detail) {
    return new KQueueException(call, of(e.errno()),
        detail == null ? e.getMessage() : detail + " (" + e.getMessage() + ")", e);
  }
}
