package io.kqueue4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LinuxErrnoTest {

  @Test
  void namesTheErrnosAKqueueUserMeets() {
    assertEquals("EPERM", LinuxErrno.name(1));
    assertEquals("ENOENT", LinuxErrno.name(LinuxErrno.ENOENT));
    assertEquals("ESRCH", LinuxErrno.name(3));
    assertEquals("EINTR", LinuxErrno.name(4));
    assertEquals("EBADF", LinuxErrno.name(9));
    assertEquals("ECHILD", LinuxErrno.name(10));
    assertEquals("EAGAIN", LinuxErrno.name(11));
    assertEquals("ENOMEM", LinuxErrno.name(12));
    assertEquals("EACCES", LinuxErrno.name(13));
    assertEquals("EEXIST", LinuxErrno.name(17));
    assertEquals("ENOTDIR", LinuxErrno.name(20));
    assertEquals("EINVAL", LinuxErrno.name(22));
    assertEquals("EMFILE", LinuxErrno.name(24));
    assertEquals("ENOSPC", LinuxErrno.name(28));
    assertEquals("ENOSYS", LinuxErrno.name(38));
    assertEquals("ELOOP", LinuxErrno.name(40));
    assertEquals("EOPNOTSUPP", LinuxErrno.name(95));
    assertEquals("ETIMEDOUT", LinuxErrno.name(110));
    assertEquals("EHWPOISON", LinuxErrno.name(133));
  }

  @Test
  void describesAsGlibcStrerrorDoes() {
    assertEquals("Bad file descriptor", LinuxErrno.description(LinuxErrno.EBADF));
    assertEquals("No space left on device", LinuxErrno.description(LinuxErrno.ENOSPC));
    assertEquals("Resource temporarily unavailable", LinuxErrno.description(LinuxErrno.EAGAIN));
  }

  @Test
  void unknownNumbersStayReadable() {
    assertEquals("errno 41", LinuxErrno.name(41));
    assertEquals("errno 0", LinuxErrno.name(0));
    assertEquals("errno -1", LinuxErrno.name(-1));
    assertEquals("errno 4096", LinuxErrno.name(4096));
    assertEquals("Unknown error 4096", LinuxErrno.description(4096));
  }

  @Test
  void exceptionMessageNamesCallErrnoAndText() {
    ErrnoException e = new ErrnoException("epoll_ctl", LinuxErrno.EBADF);
    assertEquals("epoll_ctl(..) failed: EBADF (Bad file descriptor)", e.getMessage());
    assertEquals(9, e.errno());
    assertEquals("EBADF", e.errnoName());
    assertEquals("epoll_ctl", e.function());
    assertEquals(
        "open(..) failed: ENOENT (No such file or directory): /nope",
        new ErrnoException("open", LinuxErrno.ENOENT, "/nope").getMessage());
  }
}
