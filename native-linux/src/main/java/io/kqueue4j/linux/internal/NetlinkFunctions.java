package io.kqueue4j.linux.internal;

import jnr.ffi.types.intptr_t;

/**
 * The socket calls behind the process-event connector's netlink socket, as jnr-ffi binds them;
 * {@code read} and {@code write} come from {@link LibCFunctions}. Addresses and option values are
 * passed as native addresses, as in the other bindings. Bound by {@link NetlinkLibrary}.
 */
public interface NetlinkFunctions {

  /** {@code socket(2)}. */
  int socket(int domain, int type, int protocol);

  /** {@code bind(2)} to the {@code struct sockaddr} at {@code address}. */
  int bind(int fd, @intptr_t long address, int length);

  /** {@code setsockopt(2)} with the option value at {@code value}. */
  int setsockopt(int fd, int level, int name, @intptr_t long value, int length);
}
