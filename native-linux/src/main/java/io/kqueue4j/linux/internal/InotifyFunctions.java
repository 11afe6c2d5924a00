package io.kqueue4j.linux.internal;

import jnr.ffi.annotations.In;

/**
 * {@code inotify_init1}, {@code inotify_add_watch}, {@code inotify_rm_watch} as jnr-ffi binds them.
 */
public interface InotifyFunctions {

  int inotify_init1(int flags);

  int inotify_add_watch(int fd, @In byte[] pathname, int mask);

  int inotify_rm_watch(int fd, int wd);
}
