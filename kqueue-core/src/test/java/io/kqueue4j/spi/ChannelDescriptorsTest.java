package io.kqueue4j.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.spi.ChannelDescriptors.Mechanism;
import io.kqueue4j.testing.ChildJvm;
import java.io.ByteArrayInputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ChannelDescriptors} without native calls: the numbers are checked against Linux's {@code
 * /proc/self/fd} where it exists (elsewhere those cases are skipped); module {@code native-linux}
 * checks them against libc, epoll and fstat.
 */
class ChannelDescriptorsTest {

  @TempDir Path dir;

  @Test
  void standardStreamsAreZeroOneTwo() {
    assertEquals(0, ChannelDescriptors.of(FileDescriptor.in));
    assertEquals(1, ChannelDescriptors.of(FileDescriptor.out));
    assertEquals(2, ChannelDescriptors.of(FileDescriptor.err));
  }

  @Test
  void pipeEndsAreBothEndsOfOneOsPipe() throws Exception {
    assumeTrue(ProcFd.available(), "no /proc/self/fd on this OS to check the numbers against");
    Pipe pipe = Pipe.open();
    try (Pipe.SourceChannel source = pipe.source();
        Pipe.SinkChannel sink = pipe.sink()) {
      int in = ChannelDescriptors.of(source);
      int out = ChannelDescriptors.of(sink);
      assertEquals("same", ProcFd.samePipe(in, out));
    }
  }

  @Test
  void socketChannelsAreDistinctOsSockets() throws Exception {
    assumeTrue(ProcFd.available(), "no /proc/self/fd on this OS to check the numbers against");
    try (ServerSocketChannel server =
            ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        SocketChannel client = SocketChannel.open(server.getLocalAddress());
        SocketChannel accepted = server.accept()) {
      int[] fds = {
        ChannelDescriptors.of(server),
        ChannelDescriptors.of(client),
        ChannelDescriptors.of(accepted)
      };
      assertEquals(3, IntStream.of(fds).distinct().count());
      for (int fd : fds) {
        assertTrue(ProcFd.target(fd).startsWith("socket:["), ProcFd.target(fd));
      }
    }
  }

  @Test
  void fileChannelAndFileDescriptorNameTheFile() throws Exception {
    assumeTrue(ProcFd.available(), "no /proc/self/fd on this OS to check the numbers against");
    Path file = Files.writeString(dir.resolve("f"), "abc");
    try (FileChannel channel = FileChannel.open(file);
        FileInputStream stream = new FileInputStream(file.toFile())) {
      int viaChannel = ChannelDescriptors.of(channel);
      int viaFd = ChannelDescriptors.of(stream.getFD());
      assertNotEquals(viaChannel, viaFd);
      assertEquals(file.toRealPath().toString(), ProcFd.target(viaChannel));
      assertEquals(file.toRealPath().toString(), ProcFd.target(viaFd));
    }
  }

  @Test
  void closedOrInvalidOrForeignObjectsAreRefused() throws Exception {
    Pipe pipe = Pipe.open();
    pipe.sink().close();
    pipe.source().close();
    assertThrows(ClosedChannelException.class, () -> ChannelDescriptors.of(pipe.source()));
    assertThrows(IllegalArgumentException.class, () -> ChannelDescriptors.of(new FileDescriptor()));
    var wrapper = Channels.newChannel(new ByteArrayInputStream(new byte[0]));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ChannelDescriptors.of(wrapper));
    assertTrue(
        e.getMessage().startsWith(wrapper.getClass().getName() + " keeps no FileDescriptor field"),
        e.getMessage());
  }

  @Test
  void filenoReportsFailuresWithFreeBsdErrno() throws Exception {
    Pipe pipe = Pipe.open();
    try (Pipe.SourceChannel source = pipe.source();
        Pipe.SinkChannel sink = pipe.sink()) {
      assertEquals(ChannelDescriptors.of(source), ChannelDescriptors.fileno(source));
      assertEquals(2, ChannelDescriptors.fileno(FileDescriptor.err));
    }
    KQueueException closed =
        assertThrows(KQueueException.class, () -> ChannelDescriptors.fileno(pipe.source()));
    assertEquals(Errno.EBADF, closed.errno());
    var wrapper = Channels.newChannel(new ByteArrayInputStream(new byte[0]));
    KQueueException foreign =
        assertThrows(KQueueException.class, () -> ChannelDescriptors.fileno(wrapper));
    assertEquals(Errno.EINVAL, foreign.errno());
    assertTrue(foreign.getMessage().contains(wrapper.getClass().getName()), foreign.getMessage());
    KQueueException invalid =
        assertThrows(
            KQueueException.class, () -> ChannelDescriptors.fileno(new FileDescriptor()));
    assertEquals(Errno.EBADF, invalid.errno());
  }

  @Test
  void mechanismIsReflectionExactlyWhenThePackageIsOpen() throws Exception {
    Module self = ChannelDescriptors.class.getModule();
    Mechanism expected =
        Object.class.getModule().isOpen("java.io", self) ? Mechanism.REFLECTION : Mechanism.UNSAFE;
    assertEquals(expected, ChannelDescriptors.mechanism(FileDescriptor.class));
    try (SocketChannel channel = SocketChannel.open()) {
      Mechanism channelExpected =
          Object.class.getModule().isOpen("sun.nio.ch", self)
              ? Mechanism.REFLECTION
              : Mechanism.UNSAFE;
      assertEquals(channelExpected, ChannelDescriptors.mechanism(channel.getClass()));
    }
  }

  @Test
  void freshJvmWithoutFlagsUsesUnsafe() throws Exception {
    ChildJvm run = ChildJvm.run(ChannelDescriptorsMain.class);
    assertEquals(
        "FileDescriptor=UNSAFE channel=UNSAFE pipe=" + expectedPipe(), run.stdout(), run.stderr());
    if (Runtime.version().feature() >= 24) { // JEP 498: first use of Unsafe memory access warns
      assertTrue(run.stderr().contains("sun.misc.Unsafe::objectFieldOffset"), run.stderr());
    }
  }

  @Test
  void freshJvmWithTheFlagsUsesReflectionAndPrintsNothingElse() throws Exception {
    List<String> flags = List.of(ChannelDescriptors.REQUIRED_FLAGS.split(" "));
    ChildJvm run = ChildJvm.run(ChannelDescriptorsMain.class, flags.toArray(new String[0]));
    assertEquals(
        "FileDescriptor=REFLECTION channel=REFLECTION pipe=" + expectedPipe(),
        run.stdout(),
        run.stderr());
    assertFalse(run.stderr().contains("sun.misc.Unsafe"), run.stderr());
  }

  @Test
  void freshJvmThatDeniesUnsafeIsToldTheFlags() throws Exception {
    assumeTrue(
        Runtime.version().feature() >= 23, "--sun-misc-unsafe-memory-access exists from JDK 23");
    ChildJvm run =
        ChildJvm.run(ChannelDescriptorsMain.class, "--sun-misc-unsafe-memory-access=deny");
    assertTrue(run.stdout().startsWith("unsupported: cannot read "), run.stdout() + run.stderr());
    assertTrue(
        run.stdout().endsWith("; run the JVM with " + ChannelDescriptors.REQUIRED_FLAGS),
        run.stdout());
  }

  private static String expectedPipe() {
    return ProcFd.available() ? "same" : "no-procfs";
  }
}
