package io.kqueue4j.linux.internal;

import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.LibC;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A descriptor that its owner closes exactly once. After {@link #close()} the number reads as -1,
 * so a late call reaches the kernel as {@code EBADF} rather than touching a reused descriptor
 * (unless it read the number before the close: owners document that close must not race).
 */
public final class OwnedFd {

  private static final VarHandle FD;

  static {
    try {
      FD = MethodHandles.lookup().findVarHandle(OwnedFd.class, "fd", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unused") // accessed through FD
  private volatile int fd;

  public OwnedFd(int fd) {
    this.fd = fd;
  }

  /** The descriptor, -1 once closed. */
  public int get() {
    return fd;
  }

  /** Closes the descriptor the first time; later calls do nothing. */
  public void close() throws ErrnoException {
    int old = (int) FD.getAndSet(this, -1);
    if (old >= 0) {
      LibC.close(old);
    }
  }
}
