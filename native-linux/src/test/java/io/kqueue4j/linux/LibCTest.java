package io.kqueue4j.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.linux.internal.DirectBuffers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

@EnabledOnOs(OS.LINUX)
class LibCTest {

  private int[] pipe;

  @BeforeEach
  void openPipe() throws ErrnoException {
    pipe = LibC.pipe2(LibC.O_CLOEXEC | LibC.O_NONBLOCK);
  }

  @AfterEach
  void closePipe() throws ErrnoException {
    Fds.closeQuietly(pipe[0]);
    Fds.closeQuietly(pipe[1]);
  }

  @Test
  void isProbedAvailable() {
    assertTrue(LibC.isAvailable());
    assertNull(LibC.unavailabilityCause());
  }

  @Test
  void pipe2AppliesCloexecAndNonblock() throws ErrnoException {
    for (int fd : pipe) {
      assertEquals(LibC.FD_CLOEXEC, LibC.fcntl(fd, LibC.F_GETFD) & LibC.FD_CLOEXEC);
      assertEquals(LibC.O_NONBLOCK, LibC.fcntl(fd, LibC.F_GETFL) & LibC.O_NONBLOCK);
    }
    assertEquals(LibC.O_RDONLY, LibC.fcntl(pipe[0], LibC.F_GETFL) & 3);
    assertEquals(LibC.O_WRONLY, LibC.fcntl(pipe[1], LibC.F_GETFL) & 3);
  }

  @Test
  void pipe2WithoutFlagsLeavesThemClear() throws ErrnoException {
    int[] plain = LibC.pipe2(0);
    try {
      assertEquals(0, LibC.fcntl(plain[0], LibC.F_GETFD) & LibC.FD_CLOEXEC);
      assertEquals(0, LibC.fcntl(plain[0], LibC.F_GETFL) & LibC.O_NONBLOCK);
    } finally {
      LibC.close(plain[0]);
      LibC.close(plain[1]);
    }
  }

  @Test
  void fcntlSetFlClearsNonblock() throws ErrnoException {
    int flags = LibC.fcntl(pipe[0], LibC.F_GETFL);
    LibC.fcntl(pipe[0], LibC.F_SETFL, flags & ~LibC.O_NONBLOCK);
    assertEquals(0, LibC.fcntl(pipe[0], LibC.F_GETFL) & LibC.O_NONBLOCK);
  }

  @Test
  void writeThenFionreadThenRead() throws ErrnoException {
    ByteBuffer out = ByteBuffer.wrap("hello kqueue".getBytes(StandardCharsets.US_ASCII));
    assertEquals(12, LibC.write(pipe[1], out));
    assertEquals(12, out.position());
    assertEquals(12, LibC.availableBytes(pipe[0]));

    ByteBuffer direct = DirectBuffers.allocate(5);
    assertEquals(5, LibC.read(pipe[0], direct));
    assertEquals(5, direct.position());
    assertEquals(7, LibC.availableBytes(pipe[0]));

    ByteBuffer heap = ByteBuffer.allocate(32);
    heap.position(3);
    assertEquals(7, LibC.read(pipe[0], heap));
    assertEquals(10, heap.position());
    assertEquals(" kqueue", new String(heap.array(), 3, 7, StandardCharsets.US_ASCII));
    assertEquals("hello", StandardCharsets.US_ASCII.decode(direct.flip()).toString());
  }

  @Test
  void writeOfDirectBufferStartsAtItsPosition() throws ErrnoException {
    ByteBuffer direct = DirectBuffers.allocate(6).put("abcdef".getBytes(StandardCharsets.US_ASCII));
    direct.position(2);
    assertEquals(4, LibC.write(pipe[1], direct));
    ByteBuffer in = ByteBuffer.allocate(8);
    LibC.read(pipe[0], in);
    assertEquals("cdef", new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII));
  }

  @Test
  void emptyNonblockingReadReturnsMinusOneAndEofReturnsZero() throws ErrnoException {
    assertEquals(-1, LibC.read(pipe[0], ByteBuffer.allocate(4)));
    LibC.close(pipe[1]);
    pipe[1] = -1;
    assertEquals(0, LibC.read(pipe[0], ByteBuffer.allocate(4)));
  }

  @Test
  void fullNonblockingWriteReturnsMinusOne() throws ErrnoException {
    ByteBuffer chunk = DirectBuffers.allocate(65536);
    int n;
    do {
      n = LibC.write(pipe[1], chunk.clear());
    } while (n > 0);
    assertEquals(-1, n);
  }

  @Test
  void closeOfClosedDescriptorIsEbadf() throws ErrnoException {
    pipe[0] = Fds.raise(pipe[0]); // so that no other thread is given the number once closed
    LibC.close(pipe[0]);
    ErrnoException e = assertThrows(ErrnoException.class, () -> LibC.close(pipe[0]));
    pipe[0] = -1;
    assertEquals(LinuxErrno.EBADF, e.errno());
    assertEquals("close(..) failed: EBADF (Bad file descriptor)", e.getMessage());
  }

  @Test
  void fcntlOnBadDescriptorNamesIt() {
    ErrnoException e = assertThrows(ErrnoException.class, () -> LibC.fcntl(-1, LibC.F_GETFD));
    assertEquals(LinuxErrno.EBADF, e.errno());
    assertEquals("fcntl(..) failed: EBADF (Bad file descriptor): fd -1", e.getMessage());
  }

  @Test
  void openReadOnlyCloexecReadsTheFile(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("f.txt"), "contents");
    int fd = LibC.open(file, LibC.O_RDONLY | LibC.O_CLOEXEC);
    try {
      assertEquals(LibC.FD_CLOEXEC, LibC.fcntl(fd, LibC.F_GETFD));
      ByteBuffer in = ByteBuffer.allocate(64);
      assertEquals(8, LibC.read(fd, in));
      assertArrayEquals(
          "contents".getBytes(StandardCharsets.US_ASCII), java.util.Arrays.copyOf(in.array(), 8));
      assertEquals(Files.getAttribute(file, "unix:ino"), Stat.fstat(fd).ino());
    } finally {
      LibC.close(fd);
    }
  }

  @Test
  void openWithOPathGivesADescriptorThatCannotRead(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("f.txt"), "contents");
    int fd = LibC.open(file, LibC.O_PATH | LibC.O_CLOEXEC);
    try {
      assertEquals(LibC.O_PATH, LibC.fcntl(fd, LibC.F_GETFL) & LibC.O_PATH);
      ErrnoException e =
          assertThrows(ErrnoException.class, () -> LibC.read(fd, ByteBuffer.allocate(4)));
      assertEquals(LinuxErrno.EBADF, e.errno());
    } finally {
      LibC.close(fd);
    }
  }

  @Test
  void openOfMissingFileIsEnoentNamingThePath(@TempDir Path dir) {
    Path missing = dir.resolve("missing");
    ErrnoException e = assertThrows(ErrnoException.class, () -> LibC.open(missing, LibC.O_RDONLY));
    assertEquals(LinuxErrno.ENOENT, e.errno());
    assertEquals("open(..) failed: ENOENT (No such file or directory): " + missing, e.getMessage());
  }

  @Test
  void openHandlesNonAsciiNames(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("fichier-été-\u6587.txt"), "x");
    int fd = LibC.open(file, LibC.O_RDONLY | LibC.O_CLOEXEC);
    LibC.close(fd);
  }

  @Test
  void getpidIsThisProcess() {
    assertEquals(ProcessHandle.current().pid(), LibC.getpid());
  }

  @Test
  void killWithSignalZeroChecksExistence() throws Exception {
    LibC.kill(LibC.getpid(), 0);
    int child = Spawn.shell("exit 0");
    PidFd pidfd = PidFd.open(child);
    pidfd.waitid(PidFd.WEXITED);
    pidfd.close();
    ErrnoException e = assertThrows(ErrnoException.class, () -> LibC.kill(child, 0));
    assertEquals(LinuxErrno.ESRCH, e.errno());
  }

  @Test
  void fionreadOnANonStreamIsAnError() throws Exception {
    try (EventFd eventFd = EventFd.open()) {
      ErrnoException e =
          assertThrows(ErrnoException.class, () -> LibC.availableBytes(eventFd.fd()));
      assertEquals(LinuxErrno.ENOTTY, e.errno());
      assertEquals(
          "ioctl(..) failed: ENOTTY (Inappropriate ioctl for device): FIONREAD on fd "
              + eventFd.fd(),
          e.getMessage());
    }
  }
}
