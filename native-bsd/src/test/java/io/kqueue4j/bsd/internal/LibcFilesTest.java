package io.kqueue4j.bsd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.bsd.descriptor.Fds;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code open(2)} behind native {@code EVFILT_VNODE} knotes: the flag values per OS against the
 * headers, and the binding against this machine's real C library (Linux, with libkqueue's dialect,
 * whose constants are Linux's).
 */
class LibcFilesTest {
  @TempDir Path dir;

  @Test
  void open_flags_are_the_headers_values() {
    // FreeBSD sys/fcntl.h: O_NONBLOCK 0x0004, O_CLOEXEC 0x00100000, O_NOFOLLOW 0x0100
    assertEquals(0x0010_0004, LibcFiles.openFlags(Dialect.FREEBSD));
    // XNU bsd/sys/fcntl.h: O_NONBLOCK 0x0004, O_EVTONLY 0x8000, O_CLOEXEC 0x01000000
    assertEquals(0x0100_8004, LibcFiles.openFlags(Dialect.MACOS));
    // NetBSD sys/fcntl.h: O_NONBLOCK 0x0004, O_CLOEXEC 0x00400000
    assertEquals(0x0040_0004, LibcFiles.openFlags(Dialect.NETBSD));
    // OpenBSD sys/fcntl.h: O_NONBLOCK 0x0004, O_CLOEXEC 0x10000
    assertEquals(0x0001_0004, LibcFiles.openFlags(Dialect.OPENBSD));
    // Linux asm-generic/fcntl.h (x86_64): O_NONBLOCK 04000, O_CLOEXEC 02000000, O_NOFOLLOW 0400000
    assertEquals(0x0008_0800, LibcFiles.openFlags(Dialect.LIBKQUEUE));
    assertEquals(0x0100, LibcFiles.noFollowFlag(Dialect.FREEBSD));
    assertEquals(0x0002_0000, LibcFiles.noFollowFlag(Dialect.LIBKQUEUE));
  }

  @Test
  @EnabledOnOs(value = OS.LINUX, architectures = "amd64")
  void opens_directories_and_files_and_translates_errno() throws Exception {
    LibcFiles libc = LibcFiles.bind(Dialect.LIBKQUEUE);
    int fd = libc.open(dir.toString(), false);
    assertTrue(fd >= 0);
    fd = Fds.raise(fd); // so that the second close cannot meet another thread's file
    assertTrue(Files.exists(Path.of("/proc/self/fd/" + fd)));
    assertEquals(dir.toRealPath(), Path.of("/proc/self/fd/" + fd).toRealPath());
    assertEquals(0, libc.close(fd));
    assertEquals(Errno.EBADF, libc.close(fd));
    KQueueException missing = assertThrows(KQueueException.class,
        () -> libc.open(dir.resolve("missing").toString(), false));
    assertEquals(Errno.ENOENT, missing.errno());
    Path link = Files.createSymbolicLink(dir.resolve("link"), dir);
    KQueueException loop = assertThrows(KQueueException.class,
        () -> libc.open(link.toString(), false));
    assertEquals(Errno.ELOOP, loop.errno(), "O_NOFOLLOW: a link is not followed");
    int followed = libc.open(link.toString(), true);
    assertEquals(0, libc.close(followed));
  }
}
