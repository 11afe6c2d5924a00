package io.kqueue4j.bsd.descriptor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kqueue4j.bsd.internal.Dialect;
import jnr.ffi.Platform;
import org.junit.jupiter.api.Test;

/**
 * Every {@code sys/fcntl.h} value against the headers: FreeBSD {@code sys/sys/fcntl.h}, XNU {@code
 * bsd/sys/fcntl.h}, NetBSD {@code sys/sys/fcntl.h}, OpenBSD {@code sys/sys/fcntl.h} (with {@code
 * O_CLOEXEC}, OpenBSD 5.0 and later) and Linux {@code asm-generic/fcntl.h}.
 */
class OsFlagsTest {

  @Test
  void commands_and_fd_flags_are_the_same_everywhere() {
    assertEquals(0, OsFlags.O_RDONLY);
    assertEquals(1, OsFlags.F_GETFD);
    assertEquals(2, OsFlags.F_SETFD);
    assertEquals(3, OsFlags.F_GETFL);
    assertEquals(4, OsFlags.F_SETFL);
    assertEquals(1, OsFlags.FD_CLOEXEC);
  }

  @Test
  void freebsd() {
    assertEquals(new OsFlags(0x00100000, 0x0004, 0), OsFlags.of(Dialect.FREEBSD));
    assertEquals(0x00100000, OsFlags.of(Dialect.FREEBSD).openFlags());
  }

  @Test
  void macos_opens_for_event_notification_only() {
    assertEquals(new OsFlags(0x01000000, 0x0004, 0x8000), OsFlags.of(Dialect.MACOS));
    assertEquals(0x01008000, OsFlags.of(Dialect.MACOS).openFlags());
  }

  @Test
  void netbsd() {
    assertEquals(new OsFlags(0x00400000, 0x0004, 0), OsFlags.of(Dialect.NETBSD));
  }

  @Test
  void openbsd() {
    assertEquals(new OsFlags(0x00010000, 0x0004, 0), OsFlags.of(Dialect.OPENBSD));
  }

  @Test
  void linux() {
    assertEquals(new OsFlags(02000000, 04000, 0), OsFlags.of(Dialect.LIBKQUEUE));
  }

  @Test
  void the_os_names_its_dialect() {
    assertEquals(Dialect.FREEBSD, PosixLibc.dialectOf(Platform.OS.FREEBSD));
    assertEquals(Dialect.MACOS, PosixLibc.dialectOf(Platform.OS.DARWIN));
    assertEquals(Dialect.NETBSD, PosixLibc.dialectOf(Platform.OS.NETBSD));
    assertEquals(Dialect.OPENBSD, PosixLibc.dialectOf(Platform.OS.OPENBSD));
    assertEquals(Dialect.LIBKQUEUE, PosixLibc.dialectOf(Platform.OS.LINUX));
    assertNull(PosixLibc.dialectOf(Platform.OS.DRAGONFLY));
    assertNull(PosixLibc.dialectOf(Platform.OS.WINDOWS));
  }
}
