package io.kqueue4j.linux.descriptor;

import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.LibC;
import io.kqueue4j.linux.internal.NativeLibrary;
import io.kqueue4j.linux.internal.PathBytes;
import java.nio.file.Path;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * The libc calls only the tests make, where the JDK has no way to make them: socket pairs of any
 * type ({@code SOCK_SEQPACKET}, {@code SOCK_DGRAM}), {@code shutdown} of such a socket, {@code
 * mkfifo}, {@code setsockopt(SO_RCVLOWAT)}.
 */
final class TestSyscalls {
  static final int SHUT_WR = 1;

  /** The bound calls; public only because jnr-ffi implements it from another class loader. */
  public interface Functions {
    int socketpair(int domain, int type, int protocol, @Out int[] sv);

    int shutdown(int fd, int how);

    int mkfifo(@In byte[] path, int mode);

    int setsockopt(int fd, int level, int optname, @In int[] optval, int optlen);
  }

  private static final NativeLibrary<Functions> LIBRARY = NativeLibrary.load(Functions.class);

  private TestSyscalls() {}

  private static Functions functions() {
    Functions f = LIBRARY.functions();
    if (f == null) {
      throw new IllegalStateException("libc is not bound here", LIBRARY.cause());
    }
    return f;
  }

  /** {@code socketpair(domain, type | SOCK_CLOEXEC, 0)}. */
  static int[] socketpair(int domain, int type) throws ErrnoException {
    int[] sv = new int[2];
    if (functions().socketpair(domain, type | LibC.O_CLOEXEC, 0, sv) < 0) {
      throw new ErrnoException("socketpair", NativeLibrary.errno());
    }
    return sv;
  }

  /** {@code shutdown(fd, how)}. */
  static void shutdown(int fd, int how) throws ErrnoException {
    if (functions().shutdown(fd, how) < 0) {
      throw new ErrnoException("shutdown", NativeLibrary.errno(), "fd " + fd);
    }
  }

  /** {@code mkfifo(path, mode)}. */
  static void mkfifo(Path path, int mode) throws ErrnoException {
    if (functions().mkfifo(PathBytes.of(path), mode) < 0) {
      throw new ErrnoException("mkfifo", NativeLibrary.errno(), path.toString());
    }
  }

  /** {@code setsockopt} of an {@code int} option. */
  static void setsockoptInt(int fd, int level, int option, int value) throws ErrnoException {
    if (functions().setsockopt(fd, level, option, new int[] {value}, Integer.BYTES) < 0) {
      throw new ErrnoException("setsockopt", NativeLibrary.errno(),
          "option " + option + " on fd " + fd);
    }
  }
}
