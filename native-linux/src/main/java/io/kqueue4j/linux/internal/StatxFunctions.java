package io.kqueue4j.linux.internal;

import jnr.ffi.annotations.In;
import jnr.ffi.types.intptr_t;

/** {@code statx} (glibc 2.28+) as jnr-ffi binds it. */
public interface StatxFunctions {

  int statx(int dirfd, @In byte[] pathname, int flags, int mask, @intptr_t long statxbuf);
}
