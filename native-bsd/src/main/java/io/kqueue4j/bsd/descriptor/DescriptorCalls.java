package io.kqueue4j.bsd.descriptor;

import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.Variadic;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The C library calls behind {@link PosixDescriptorSupport}, as jnr-ffi binds them. Every call sets
 * the thread's saved {@code errno} on failure.
 *
 * <p>{@code fcntl} is declared variadic with two fixed arguments: macOS on arm64 passes variadic
 * arguments on the stack, not in registers, so a fixed three-argument declaration would hand {@code
 * fcntl} garbage there. {@code open} is called with its two fixed arguments only (no {@code
 * O_CREAT}, so no mode is read). {@code pipe2} is missing from macOS's libc; calling it there fails
 * with a {@link LinkageError}, which {@link PosixLibc#bind} probes for.
 */
public interface DescriptorCalls {

  /** {@code open(2)} of a NUL-terminated path. */
  int open(@In byte[] path, int flags);

  /** {@code pipe(2)}. */
  int pipe(@Out int[] fds);

  /** {@code pipe2(2)}: FreeBSD, NetBSD, OpenBSD and Linux have it; macOS does not. */
  int pipe2(@Out int[] fds, int flags);

  /** {@code fcntl(2)} with an {@code int} argument (ignored by the {@code F_GET*} commands). */
  @Variadic(fixedCount = 2)
  int fcntl(int fd, int cmd, int arg);

  /** {@code close(2)}. */
  int close(int fd);

  /** {@code read(2)} into {@code buf}. */
  @ssize_t
  long read(int fd, @Out byte[] buf, @size_t long count);

  /** {@code write(2)} from {@code buf}. */
  @ssize_t
  long write(int fd, @In byte[] buf, @size_t long count);
}
