package io.kqueue4j.linux.descriptor;

import jnr.ffi.types.intptr_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc calls that {@link Syscalls} needs and {@code io.kqueue4j.linux.LibC} does not bind, as
 * jnr-ffi binds them. Public only because jnr-ffi implements it from another class loader; not API.
 *
 * <p>{@code ioctl} is variadic in C and declared with a fixed pointer argument, as {@code LibC}
 * does: on the supported ABIs integer arguments travel in the same registers either way.
 */
public interface DescriptorFunctions {

  int ioctl(int fd, long request, @intptr_t long argp);

  int getsockopt(int fd, int level, int optname, @intptr_t long optval, @intptr_t long optlen);

  int poll(@intptr_t long fds, @size_t long nfds, int timeout);

  @off_t
  long lseek(int fd, @off_t long offset, int whence);

  @ssize_t
  long send(int fd, @intptr_t long buf, @size_t long len, int flags);
}
