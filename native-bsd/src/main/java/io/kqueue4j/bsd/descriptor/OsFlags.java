package io.kqueue4j.bsd.descriptor;

import io.kqueue4j.bsd.internal.Dialect;

/**
 * The {@code sys/fcntl.h} values that differ between the systems {@link PosixDescriptorSupport}
 * runs on. {@code O_RDONLY} (0), {@code F_GETFD} (1), {@code F_SETFD} (2), {@code F_GETFL} (3),
 * {@code F_SETFL} (4) and {@code FD_CLOEXEC} (1) are the same everywhere. Pinned by {@code
 * OsFlagsTest}.
 *
 * @param cloexec {@code O_CLOEXEC}
 * @param nonblock {@code O_NONBLOCK}
 * @param evtonly {@code O_EVTONLY} (macOS), or 0 where the OS has no such flag
 */
record OsFlags(int cloexec, int nonblock, int evtonly) {
  static final int O_RDONLY = 0;
  static final int F_GETFD = 1;
  static final int F_SETFD = 2;
  static final int F_GETFL = 3;
  static final int F_SETFL = 4;
  static final int FD_CLOEXEC = 1;

  /**
   * The values of {@code dialect}'s OS; {@link Dialect#LIBKQUEUE} stands for Linux (the
   * asm-generic values of x86_64, aarch64, riscv64 and loongarch64).
   */
  static OsFlags of(Dialect dialect) {
    switch (dialect) {
      case FREEBSD:
        return new OsFlags(0x00100000, 0x0004, 0);
      case MACOS:
        return new OsFlags(0x01000000, 0x0004, 0x8000);
      case NETBSD:
        return new OsFlags(0x00400000, 0x0004, 0);
      case OPENBSD:
        return new OsFlags(0x00010000, 0x0004, 0);
      case LIBKQUEUE:
        return new OsFlags(0x00080000, 0x0800, 0);
      default:
        throw new AssertionError(dialect);
    }
  }

  /** The flags of {@link PosixDescriptorSupport#open}: read-only, close-on-exec, event-only. */
  int openFlags() {
    return O_RDONLY | cloexec | evtonly;
  }
}
