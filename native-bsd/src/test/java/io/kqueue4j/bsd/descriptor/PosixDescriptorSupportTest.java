package io.kqueue4j.bsd.descriptor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.bsd.internal.Dialect;
import io.kqueue4j.spi.DescriptorSupport;
import io.kqueue4j.spi.DescriptorSupport.ReadinessSignal;
import java.io.FileInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PosixDescriptorSupport} against this machine's real C library and kernel: real files in a
 * temporary directory, real pipes and sockets. Runs wherever the C library binds (here: Linux,
 * with Linux's constants and errno); on a BSD or macOS the same cases check that OS's constants.
 */
class PosixDescriptorSupportTest {
  private static final DescriptorCalls RAW =
      LibraryLoader.create(DescriptorCalls.class).failImmediately().load("c");

  @TempDir Path dir;

  private Dialect dialect;
  private PosixLibc libc;
  private PosixDescriptorSupport support;

  @BeforeEach
  void bind() {
    dialect = PosixLibc.dialectOf(Platform.getNativePlatform().getOS());
    assumeTrue(dialect != null, "no fcntl.h constants known for " + System.getProperty("os.name"));
    libc = PosixLibc.bind(dialect);
    support = new PosixDescriptorSupport(libc);
  }

  @Test
  void open_gives_a_read_only_close_on_exec_descriptor_of_the_file() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "hello");
    int fd = support.open(file);
    try {
      assertTrue(support.isOpen(fd));
      assertEquals(OsFlags.FD_CLOEXEC, libc.descriptorFlags(fd) & OsFlags.FD_CLOEXEC);
      assertEquals(OsFlags.O_RDONLY, libc.statusFlags(fd) & 3, "O_ACCMODE");
      assertEquals("hello", read(fd, 5));
    } finally {
      support.close(fd);
    }
  }

  @Test
  void open_of_a_directory_succeeds() throws Exception {
    int fd = support.open(dir);
    assertTrue(support.isOpen(fd));
    support.close(fd);
  }

  @Test
  void open_of_a_missing_path_is_enoent_naming_the_path() {
    Path missing = dir.resolve("missing");
    KQueueException e = assertThrows(KQueueException.class, () -> support.open(missing));
    assertEquals(Errno.ENOENT, e.errno());
    assertTrue(e.getMessage().startsWith("open(..) failed: ENOENT"), e.getMessage());
    assertTrue(e.getMessage().endsWith(missing.toString()), e.getMessage());
  }

  @Test
  void errno_is_translated_to_freebsd_values() throws Exception {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    Files.createSymbolicLink(a, b);
    Files.createSymbolicLink(b, a);
    KQueueException loop = assertThrows(KQueueException.class, () -> support.open(a));
    assertEquals(Errno.ELOOP, loop.errno(), loop.getMessage()); // Linux 40, FreeBSD 62

    Path tooLong = dir.resolve("x".repeat(300));
    KQueueException name = assertThrows(KQueueException.class, () -> support.open(tooLong));
    assertEquals(Errno.ENAMETOOLONG, name.errno(), name.getMessage()); // Linux 36, FreeBSD 63

    Path underFile = Files.writeString(dir.resolve("file"), "").resolve("child");
    KQueueException notDir = assertThrows(KQueueException.class, () -> support.open(underFile));
    assertEquals(Errno.ENOTDIR, notDir.errno());
  }

  @Test
  void a_path_of_another_file_system_is_einval() throws Exception {
    URI zip = URI.create("jar:" + dir.resolve("z.zip").toUri());
    try (FileSystem zipfs = FileSystems.newFileSystem(zip, Map.of("create", "true"))) {
      Path inside = zipfs.getPath("/x");
      KQueueException e = assertThrows(KQueueException.class, () -> support.open(inside));
      assertEquals(Errno.EINVAL, e.errno());
    }
  }

  @Test
  void pipe_ends_carry_bytes_and_are_close_on_exec() throws Exception {
    assertPipeWorks(support);
  }

  @Test
  void without_pipe2_in_libc_pipe_sets_close_on_exec_with_fcntl() throws Exception {
    DescriptorCalls macosLike = // a libc whose pipe2 symbol is missing, as macOS's is
        LibraryLoader.create(DescriptorCalls.class)
            .map("pipe2", "kqueue4j_no_such_pipe2")
            .failImmediately()
            .load("c");
    assertFalse(PosixLibc.hasPipe2(macosLike), "the missing symbol is detected");
    PosixLibc noPipe2 = new PosixLibc(macosLike, dialect, false);
    assertPipeWorks(new PosixDescriptorSupport(noPipe2));
  }

  @Test
  void pipe2_is_found_where_libc_has_it() {
    assumeTrue(dialect != Dialect.MACOS, "macOS's libc has no pipe2");
    assertTrue(libc.hasPipe2());
  }

  @Test
  void close_closes_and_a_closed_or_bad_descriptor_is_ebadf() throws Exception {
    int[] fds = support.pipe();
    fds[0] = Fds.raise(fds[0]);
    fds[1] = Fds.raise(fds[1]);
    support.close(fds[0]);
    support.close(fds[1]);
    assertFalse(support.isOpen(fds[0]));
    assertFalse(support.isOpen(fds[1]));
    KQueueException again = assertThrows(KQueueException.class, () -> support.close(fds[0]));
    assertEquals(Errno.EBADF, again.errno());
    assertTrue(again.getMessage().endsWith("descriptor " + fds[0]), again.getMessage());
    assertEquals(Errno.EBADF, assertThrows(KQueueException.class, () -> support.close(-1)).errno());
    assertFalse(support.isOpen(-1));
    assertFalse(support.isOpen(Integer.MAX_VALUE));
  }

  @Test
  void of_channel_is_the_socket_and_close_closes_the_channel() throws Exception {
    try (ServerSocketChannel server =
            ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        SocketChannel client = SocketChannel.open(server.getLocalAddress());
        SocketChannel accepted = server.accept()) {
      int fd = support.of(client);
      assertTrue(support.isOpen(fd));
      assertEquals(3, RAW.write(fd, new byte[] {7, 8, 9}, 3));
      ByteBuffer got = ByteBuffer.allocate(3);
      while (got.hasRemaining()) {
        accepted.read(got);
      }
      assertArrayEquals(new byte[] {7, 8, 9}, got.array());

      support.close(fd);
      assertFalse(client.isOpen(), "the channel was closed, not just its number");
      assertEquals(-1, accepted.read(ByteBuffer.allocate(1)), "the peer sees end of file");
    }
  }

  @Test
  void of_file_descriptor_reads_the_file() throws Exception {
    Path file = Files.writeString(dir.resolve("g"), "abc");
    try (FileInputStream in = new FileInputStream(file.toFile())) {
      int fd = support.of(in.getFD());
      assertEquals("abc", read(fd, 3));
    }
  }

  @Test
  void of_a_closed_channel_is_ebadf() throws Exception {
    Pipe pipe = Pipe.open();
    pipe.source().close();
    pipe.sink().close();
    KQueueException e = assertThrows(KQueueException.class, () -> support.of(pipe.source()));
    assertEquals(Errno.EBADF, e.errno());
  }

  /** What descriptor {@code fd} names ({@code pipe:[inode]}), or null where there is no /proc. */
  private static String openFile(int fd) {
    try {
      return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
  }

  /**
   * {@code fd}, which named {@code file}, was closed. The JVM's own threads may open a file and be
   * given the number at once (HotSpot reads its cgroup files so), so where /proc tells, a number
   * open again must name another file.
   */
  private void assertClosed(int fd, String file) {
    if (file == null || !support.isOpen(fd)) {
      assertFalse(support.isOpen(fd));
    } else {
      assertNotEquals(file, openFile(fd), "descriptor " + fd + " still names the signal's pipe");
    }
  }

  @Test
  void readiness_signal_is_readable_exactly_while_raised() throws Exception {
    ReadinessSignal signal = support.newReadinessSignal();
    int fd = signal.fd();
    int writeEnd = ((PipeSignal) signal).writeEnd();
    String readEnd;
    String writeEndFile;
    try {
      assertTrue(support.isOpen(fd));
      assertEquals(OsFlags.FD_CLOEXEC, libc.descriptorFlags(fd) & OsFlags.FD_CLOEXEC);
      assertEquals(OsFlags.FD_CLOEXEC, libc.descriptorFlags(writeEnd) & OsFlags.FD_CLOEXEC);
      assertFalse(Poll.readable(fd));
      signal.set(true);
      signal.set(true);
      assertTrue(Poll.readable(fd));
      signal.set(false);
      assertFalse(Poll.readable(fd), "one byte at most, drained");
      signal.set(false);
      signal.set(true);
      assertTrue(Poll.readable(fd));
      readEnd = openFile(fd);
      writeEndFile = openFile(writeEnd);
    } finally {
      signal.close();
    }
    assertClosed(fd, readEnd);
    assertClosed(writeEnd, writeEndFile);
    signal.set(false); // after close: nothing, whoever has the number now
    signal.close();
  }

  @Test
  void a_reader_draining_the_signal_does_not_block_it() throws Exception {
    try (ReadinessSignal signal = support.newReadinessSignal()) {
      signal.set(true);
      assertEquals(1, RAW.read(signal.fd(), new byte[8], 8));
      signal.set(false); // the pipe is empty and non-blocking: returns at once
      signal.set(true);
      assertTrue(Poll.readable(signal.fd()));
    }
  }

  @Test
  void registered_below_linux_and_above_the_portable_fallback() {
    PosixDescriptorSupport loaded = null;
    for (DescriptorSupport each : ServiceLoader.load(DescriptorSupport.class)) {
      if (each instanceof PosixDescriptorSupport) {
        loaded = (PosixDescriptorSupport) each;
      }
    }
    assertTrue(loaded != null, "META-INF/services names PosixDescriptorSupport");
    assertEquals("posix", loaded.name());
    assertTrue(loaded.priority() < 100 && loaded.priority() > 0, "linux 100, portable 0");
    if (dialect == Dialect.LIBKQUEUE) {
      Throwable why = loaded.unavailabilityCause();
      assertTrue(why != null && why.getMessage().contains("native-linux"), String.valueOf(why));
    } else {
      assertNull(loaded.unavailabilityCause());
    }
  }

  @Test
  void the_service_instance_works_when_used_directly_even_on_linux() throws Exception {
    PosixDescriptorSupport direct = new PosixDescriptorSupport();
    Path file = Files.writeString(dir.resolve("d"), "xy");
    int fd = Fds.raise(direct.open(file));
    assertEquals("xy", read(fd, 2));
    direct.close(fd);
    assertFalse(direct.isOpen(fd));
    assertPipeWorks(direct);
  }

  private void assertPipeWorks(PosixDescriptorSupport pipes) throws KQueueException {
    int[] fds = pipes.pipe();
    try {
      assertNotEquals(fds[0], fds[1]);
      for (int fd : fds) {
        assertEquals(OsFlags.FD_CLOEXEC, libc.descriptorFlags(fd) & OsFlags.FD_CLOEXEC);
      }
      assertEquals(0, libc.statusFlags(fds[0]) & 3, "read end O_RDONLY");
      assertEquals(1, libc.statusFlags(fds[1]) & 3, "write end O_WRONLY");
      assertEquals(2, RAW.write(fds[1], "hi".getBytes(StandardCharsets.US_ASCII), 2));
      assertTrue(Poll.readable(fds[0]));
      assertEquals("hi", read(fds[0], 2));
    } finally {
      pipes.close(fds[0]);
      pipes.close(fds[1]);
    }
  }

  private static String read(int fd, int count) {
    byte[] buffer = new byte[count];
    assertEquals(count, RAW.read(fd, buffer, count));
    return new String(buffer, StandardCharsets.US_ASCII);
  }
}
