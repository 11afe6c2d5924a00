package io.kqueue4j.linux.internal;

import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.intptr_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The calls behind the fanotify source, as jnr-ffi binds them: {@code fanotify_init}, {@code
 * fanotify_mark} (its 64-bit mask travels in one register on every supported ABI), {@code
 * name_to_handle_at}, and the descriptor-relative directory walk ({@code openat}, {@code
 * getdents64} (glibc 2.30+), {@code fstatfs}).
 */
public interface FanotifyFunctions {

  int fanotify_init(int flags, int event_f_flags);

  int fanotify_mark(int fanotify_fd, int flags, long mask, int dirfd, @In byte[] pathname);

  int name_to_handle_at(
      int dirfd, @In byte[] pathname, @intptr_t long handle, @Out int[] mount_id, int flags);

  int openat(int dirfd, @In byte[] pathname, int flags, int mode);

  @ssize_t
  long getdents64(int fd, @intptr_t long dirp, @size_t long count);

  int fstatfs(int fd, @intptr_t long buf);
}
