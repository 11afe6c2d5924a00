package io.kqueue4j.bsd.descriptor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jnr.ffi.LibraryLoader;

/** Test helpers for raw descriptors. */
public final class Fds {
  private static final DescriptorCalls RAW =
      LibraryLoader.create(DescriptorCalls.class).failImmediately().load("c");
  /** {@code F_DUPFD}: 0 in every POSIX system's fcntl.h. */
  private static final int F_DUPFD = 0;
  /** Above every descriptor the test JVM otherwise holds. */
  private static final int HIGH_DESCRIPTORS = 1000;

  private Fds() {}

  /**
   * Moves {@code fd} to a number of 1000 or more and closes the original, for a test that checks a
   * number stays closed after it closes it: open(2) gives the lowest free number, so another thread
   * of the JVM (HotSpot reads its cgroup files now and then) could be given it at once.
   *
   * @param fd an open descriptor
   * @return the same open file under its new number
   */
  public static int raise(int fd) {
    int high = RAW.fcntl(fd, F_DUPFD, HIGH_DESCRIPTORS);
    assertTrue(high >= HIGH_DESCRIPTORS, "fcntl(F_DUPFD) of " + fd);
    assertEquals(0, RAW.close(fd));
    return high;
  }
}
