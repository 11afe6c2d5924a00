package io.kqueue4j.linux.internal;

import jnr.ffi.types.intptr_t;

/** {@code epoll_create1}, {@code epoll_ctl}, {@code epoll_wait} as jnr-ffi binds them. */
public interface EpollFunctions {

  int epoll_create1(int flags);

  int epoll_ctl(int epfd, int op, int fd, @intptr_t long event);

  int epoll_wait(int epfd, @intptr_t long events, int maxevents, int timeout);
}
