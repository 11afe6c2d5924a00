package io.kqueue4j.linux.descriptor;

import static io.kqueue4j.KEvent.EVFILT_READ;
import static io.kqueue4j.KEvent.EV_ADD;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.descriptor.ReadinessSources;
import io.kqueue4j.linux.Fds;
import io.kqueue4j.linux.FileStat;
import io.kqueue4j.linux.LibC;
import io.kqueue4j.linux.Stat;
import io.kqueue4j.spi.DescriptorSupport.ReadinessSignal;
import java.io.FileInputStream;
import java.nio.channels.Pipe;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileDescriptors} on Linux, through {@link LinuxDescriptorSupport}. */
@EnabledOnOs(OS.LINUX)
class LinuxDescriptorSupportTest {
  @TempDir Path dir;

  private static boolean cloexec(int fd) throws Exception {
    return (LibC.fcntl(fd, LibC.F_GETFD) & LibC.FD_CLOEXEC) != 0;
  }

  @Test
  void theLinuxSupportAndSourceAreInUse() {
    assertEquals(LinuxDescriptorSupport.NAME, FileDescriptors.support());
    assertEquals(EpollReadinessSource.NAME, ReadinessSources.activeName());
    assertFalse(ReadinessSources.isFallback());
  }

  @Test
  void oneEpollThreadServesEveryKqueue() throws Exception {
    KQueue[] queues = new KQueue[8];
    int[][] pipes = new int[queues.length][];
    try {
      for (int i = 0; i < queues.length; i++) {
        queues[i] = KQueue.emulated();
        pipes[i] = FileDescriptors.pipe();
        Io.add(queues[i], pipes[i][0], EVFILT_READ, EV_ADD, 0, 0);
      }
      for (int i = 0; i < queues.length; i++) {
        Io.write(pipes[i][1], i + 1);
      }
      for (int i = 0; i < queues.length; i++) {
        KEvent ev = Io.next(queues[i]);
        assertEquals(pipes[i][0], ev.ident());
        assertEquals(i + 1, ev.data());
      }
      long pollers = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.getName().equals("kqueue4j-epoll"))
          .count();
      assertEquals(1, pollers, "one thread for every kqueue and descriptor in the process");
    } finally {
      for (int i = 0; i < queues.length; i++) {
        if (queues[i] != null) {
          queues[i].close();
        }
        if (pipes[i] != null) {
          Io.closeQuietly(pipes[i]);
        }
      }
    }
  }

  @Test
  void pipeEndsAreCloseOnExecAndOneWay() throws Exception {
    int[] pipe = FileDescriptors.pipe();
    try {
      assertTrue(cloexec(pipe[0]) && cloexec(pipe[1]));
      assertEquals(LibC.O_RDONLY, Syscalls.accessMode(pipe[0]));
      assertEquals(LibC.O_WRONLY, Syscalls.accessMode(pipe[1]));
    } finally {
      Io.closeQuietly(pipe);
    }
  }

  @Test
  void openIsReadOnlyAndCloseOnExec() throws Exception {
    Path file = dir.resolve("f");
    Files.write(file, new byte[3]);
    int fd = FileDescriptors.open(file);
    try {
      assertTrue(cloexec(fd));
      assertEquals(LibC.O_RDONLY, Syscalls.accessMode(fd));
      assertEquals(3, Stat.fstat(fd).size());
    } finally {
      FileDescriptors.close(fd);
    }
    KQueueException missing =
        assertThrows(KQueueException.class, () -> FileDescriptors.open(dir.resolve("none")));
    assertEquals(Errno.ENOENT, missing.errno());
  }

  @Test
  void channelsAndFileDescriptorsGiveTheirRealDescriptor() throws Exception {
    try (SocketChannel socket = SocketChannel.open()) {
      int fd = FileDescriptors.of(socket);
      assertEquals(FileStat.S_IFSOCK, Stat.fstat(fd).mode() & FileStat.S_IFMT);
    }
    Pipe pipe = Pipe.open();
    try {
      int source = FileDescriptors.of(pipe.source());
      assertEquals(FileStat.S_IFIFO, Stat.fstat(source).mode() & FileStat.S_IFMT);
      assertEquals(LibC.O_RDONLY, Syscalls.accessMode(source));
    } finally {
      pipe.source().close();
      pipe.sink().close();
    }
    Path file = dir.resolve("g");
    Files.write(file, new byte[7]);
    try (FileInputStream in = new FileInputStream(file.toFile())) {
      int fd = FileDescriptors.of(in.getFD());
      assertEquals(7, Stat.fstat(fd).size());
    }
  }

  @Test
  void closedChannelIsEbadf() throws Exception {
    SocketChannel socket = SocketChannel.open();
    socket.close();
    KQueueException e = assertThrows(KQueueException.class, () -> FileDescriptors.of(socket));
    assertEquals(Errno.EBADF, e.errno());
  }

  @Test
  void closeTwiceIsEbadf() throws Exception {
    int[] pipe = Fds.highPipe();
    FileDescriptors.close(pipe[0]);
    FileDescriptors.close(pipe[1]);
    KQueueException e = assertThrows(KQueueException.class, () -> FileDescriptors.close(pipe[0]));
    assertEquals(Errno.EBADF, e.errno());
    assertTrue(e.getMessage().contains("EBADF"), e.getMessage());
  }

  @Test
  void kqueueDescriptorIsAnEventfdReadableWhileEventsArePending() throws Exception {
    int[] pipe = FileDescriptors.pipe();
    try (KQueue kq = KQueue.emulated()) {
      int kqfd = kq.fd();
      assertEquals(0, Syscalls.poll(kqfd, Syscalls.POLLIN), "nothing pending");
      Io.add(kq, pipe[0], EVFILT_READ, EV_ADD, 0, 0);
      Io.write(pipe[1], 1);
      await().atMost(10, SECONDS)
          .until(() -> (Syscalls.poll(kqfd, Syscalls.POLLIN) & Syscalls.POLLIN) != 0);
      Io.read(pipe[0], 1);
      assertEquals(0, Io.poll(kq).length);
      assertEquals(0, Syscalls.poll(kqfd, Syscalls.POLLIN), "drained again");
    } finally {
      Io.closeQuietly(pipe);
    }
  }

  @Test
  void readinessSignalIsIdempotent() throws Exception {
    try (ReadinessSignal signal = new LinuxDescriptorSupport().newReadinessSignal()) {
      signal.set(true);
      signal.set(true);
      assertEquals(Syscalls.POLLIN, Syscalls.poll(signal.fd(), Syscalls.POLLIN));
      signal.set(false);
      assertEquals(0, Syscalls.poll(signal.fd(), Syscalls.POLLIN));
      signal.set(false);
      assertEquals(0, Syscalls.poll(signal.fd(), Syscalls.POLLIN));
    }
  }

  @Test
  void linuxErrnoIsTranslatedByName() {
    assertEquals(Errno.EAGAIN, FreeBsdErrno.of(11));
    assertEquals(Errno.ECONNRESET, FreeBsdErrno.of(104));
    assertEquals(Errno.ECONNREFUSED, FreeBsdErrno.of(111));
    assertEquals(Errno.ETIMEDOUT, FreeBsdErrno.of(110));
    assertEquals(65, FreeBsdErrno.of(113), "EHOSTUNREACH");
    assertEquals(Errno.EPIPE, FreeBsdErrno.of(32));
    assertEquals(0, FreeBsdErrno.of(0));
  }
}
