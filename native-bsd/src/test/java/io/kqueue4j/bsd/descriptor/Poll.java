package io.kqueue4j.bsd.descriptor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * {@code poll(2)} on one descriptor, for tests: whether it is readable now. {@code struct pollfd}
 * is {@code {int fd; short events; short revents;}} and {@code POLLIN} is 1 on every OS here.
 */
final class Poll {
  private static final short POLLIN = 1;
  private static final Calls CALLS = LibraryLoader.create(Calls.class).failImmediately().load("c");

  /** The one call bound; {@code nfds_t} (an unsigned int or long) travels in a register. */
  public interface Calls {
    int poll(@In @Out byte[] fds, long nfds, int timeout);
  }

  private Poll() {}

  /** Whether {@code fd} polls readable without waiting. */
  static boolean readable(int fd) {
    ByteBuffer pollfd = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
    pollfd.putInt(0, fd).putShort(4, POLLIN);
    int n = CALLS.poll(pollfd.array(), 1, 0);
    if (n < 0) {
      throw new IllegalStateException("poll failed on descriptor " + fd);
    }
    return n == 1 && (pollfd.getShort(6) & POLLIN) != 0;
  }
}
