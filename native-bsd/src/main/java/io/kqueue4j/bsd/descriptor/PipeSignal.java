package io.kqueue4j.bsd.descriptor;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.spi.DescriptorSupport.ReadinessSignal;

/**
 * A readiness signal over a pipe, the way libkqueue gives its emulated kqueues a descriptor: the
 * read end is {@link #fd()}, readable to {@code poll}, {@code select} and {@code kqueue} while one
 * byte sits in the pipe. Both ends are close-on-exec and non-blocking, so that neither {@link
 * #set} nor a stray reader of {@link #fd()} can block the caller.
 *
 * <p>Thread-safe: {@link #set} and {@link #close} are serialized on this object, and {@link #set}
 * does nothing once closed, so it never writes to a number the OS has handed out again.
 */
final class PipeSignal implements ReadinessSignal {
  private final PosixLibc libc;
  private final int readEnd;
  private final int writeEnd;
  /** Guarded by this. */
  private boolean raised;
  /** Guarded by this. */
  private boolean closed;

  private PipeSignal(PosixLibc libc, int readEnd, int writeEnd) {
    this.libc = libc;
    this.readEnd = readEnd;
    this.writeEnd = writeEnd;
  }

  /** A new, lowered signal. */
  static PipeSignal open(PosixLibc libc) throws KQueueException {
    int[] fds = libc.pipe();
    try {
      libc.setNonBlocking(fds[0]);
      libc.setNonBlocking(fds[1]);
    } catch (KQueueException e) {
      closeQuietly(libc, fds[0]);
      closeQuietly(libc, fds[1]);
      throw e;
    }
    return new PipeSignal(libc, fds[0], fds[1]);
  }

  @Override
  public int fd() {
    return readEnd;
  }

  /** The write end; for tests. */
  int writeEnd() {
    return writeEnd;
  }

  @Override
  public synchronized void set(boolean readable) {
    if (closed || readable == raised) {
      return;
    }
    try {
      if (readable) {
        libc.writeByte(writeEnd); // false: the pipe is full, so readable already
      } else {
        libc.drain(readEnd);
      }
      raised = readable;
    } catch (KQueueException e) {
      if (e.errno() != Errno.EBADF) { // EBADF: an end was closed behind our back, nothing to signal
        throw new IllegalStateException("readiness pipe " + readEnd + "/" + writeEnd, e);
      }
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    closeQuietly(libc, readEnd);
    closeQuietly(libc, writeEnd);
  }

  private static void closeQuietly(PosixLibc libc, int fd) {
    try {
      libc.close(fd);
    } catch (KQueueException e) {
      // EBADF: someone closed our end behind our back; either way it is gone
    }
  }
}
