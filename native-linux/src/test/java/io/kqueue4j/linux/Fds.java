package io.kqueue4j.linux;

/** Test helpers for raw descriptors. */
final class Fds {

  private Fds() {}

  /** Closes {@code fd} unless it is negative, ignoring {@code EBADF}. */
  static void closeQuietly(int fd) {
    if (fd < 0) {
      return;
    }
    try {
      LibC.close(fd);
    } catch (ErrnoException e) {
      if (e.errno() != LinuxErrno.EBADF) {
        throw new AssertionError(e);
      }
    }
  }
}
