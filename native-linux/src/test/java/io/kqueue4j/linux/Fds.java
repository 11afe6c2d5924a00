package io.kqueue4j.linux;

import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KQueueException;

/** Test helpers for raw descriptors. */
public final class Fds {
  /** Linux's {@code F_DUPFD_CLOEXEC}. */
  private static final int F_DUPFD_CLOEXEC = 1030;
  /** Above every descriptor the test JVM otherwise holds. */
  private static final int HIGH_DESCRIPTORS = 1000;

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

  /**
   * Moves {@code fd} to a number of 1000 or more and closes the original, for a test that checks a
   * number stays closed after it closes it: Linux gives open(2) the lowest free number, so another
   * thread of the JVM (HotSpot reads its cgroup files now and then) could be given it at once.
   *
   * @param fd an open descriptor
   * @return the same open file under its new, close-on-exec number
   * @throws ErrnoException when {@code fcntl} or {@code close} fails
   */
  public static int raise(int fd) throws ErrnoException {
    int high = LibC.fcntl(fd, F_DUPFD_CLOEXEC, HIGH_DESCRIPTORS);
    LibC.close(fd);
    return high;
  }

  /**
   * {@link FileDescriptors#pipe()} with both ends {@linkplain #raise raised}, so that no other
   * thread's open(2) can be given their numbers once the test closes them.
   *
   * @return the read end and the write end
   * @throws KQueueException when the pipe cannot be created
   * @throws ErrnoException when an end cannot be moved
   */
  public static int[] highPipe() throws KQueueException, ErrnoException {
    int[] pipe = FileDescriptors.pipe();
    pipe[0] = raise(pipe[0]);
    pipe[1] = raise(pipe[1]);
    return pipe;
  }
}
