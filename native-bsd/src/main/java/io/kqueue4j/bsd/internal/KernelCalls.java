package io.kqueue4j.bsd.internal;

/**
 * The three C calls behind a native kqueue, on raw addresses: the seam between the binding and the
 * C library. {@link JnrKernelCalls} binds them to libc or libkqueue; tests substitute a kernel
 * written in Java that decodes the bytes the binding writes.
 *
 * <p>Implementations are thread-safe, and {@link #errno()} is per thread, as C's {@code errno} is.
 */
public interface KernelCalls {

  /** {@code kqueue(2)}: a new descriptor, or -1 with {@link #errno()} set. */
  int kqueue();

  /**
   * {@code kevent(2)} in the layout's shape ({@link KeventLayout#callStyle()}).
   *
   * @param changes address of {@code nchanges} entries, or 0
   * @param events address of room for {@code nevents} entries, or 0
   * @param timeout address of a {@code struct timespec}, or 0 to wait forever
   * @return the number of entries stored, or -1 with {@link #errno()} set
   */
  int kevent(int kq, long changes, int nchanges, long events, int nevents, long timeout);

  /** {@code close(2)}: 0, or -1 with {@link #errno()} set. */
  int close(int fd);

  /** The OS's {@code errno} of this thread's last failed call. */
  int errno();

  /** What these calls are bound to, for diagnostics: {@code "libc"}, a library path, ... */
  String name();
}
