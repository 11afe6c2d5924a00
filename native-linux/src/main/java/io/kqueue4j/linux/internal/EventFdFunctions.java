package io.kqueue4j.linux.internal;

/** {@code eventfd} as jnr-ffi binds it. */
public interface EventFdFunctions {

  int eventfd(int initval, int flags);
}
