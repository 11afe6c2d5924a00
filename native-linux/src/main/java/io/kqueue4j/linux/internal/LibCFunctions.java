package io.kqueue4j.linux.internal;

import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.Variadic;
import jnr.ffi.types.intptr_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc calls behind {@code LibC} and {@code PidFd}, as jnr-ffi binds them.
 *
 * <p>Buffers are passed as native addresses ({@code intptr_t}) so that the hot calls take only
 * primitives and allocate nothing. {@code fcntl}, {@code open} and {@code ioctl} are variadic in C
 * but declared with fixed arguments, as jnr-posix does: on the supported ABIs (x86-64 System V,
 * AAPCS64 on Linux, RISC-V, LoongArch) integer arguments travel in the same registers either way.
 * {@code syscall} is declared variadic because its trailing arguments are truly variable.
 */
public interface LibCFunctions {

  @ssize_t
  long read(int fd, @intptr_t long buf, @size_t long count);

  @ssize_t
  long write(int fd, @intptr_t long buf, @size_t long count);

  int close(int fd);

  int pipe2(@Out int[] fds, int flags);

  int fcntl(int fd, int cmd, int arg);

  int open(@In byte[] path, int flags, int mode);

  int ioctl(int fd, long request, @intptr_t long argp);

  int getpid();

  int kill(int pid, int sig);

  @Variadic(fixedCount = 1)
  long syscall(long number, long a1, long a2, long a3, long a4);

  int waitid(int idtype, int id, @intptr_t long infop, int options);
}
