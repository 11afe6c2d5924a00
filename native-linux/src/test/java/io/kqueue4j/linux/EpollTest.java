package io.kqueue4j.linux;

import static io.kqueue4j.linux.Epoll.EPOLLET;
import static io.kqueue4j.linux.Epoll.EPOLLHUP;
import static io.kqueue4j.linux.Epoll.EPOLLIN;
import static io.kqueue4j.linux.Epoll.EPOLLONESHOT;
import static io.kqueue4j.linux.Epoll.EPOLLOUT;
import static io.kqueue4j.linux.Epoll.EPOLLRDHUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.spi.ChannelDescriptors;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

@EnabledOnOs(OS.LINUX)
class EpollTest {

  private Epoll epoll;
  private int[] pipe;
  private final EpollEventArray events = new EpollEventArray(8);

  @BeforeEach
  void open() throws ErrnoException {
    epoll = Epoll.open();
    pipe = LibC.pipe2(LibC.O_CLOEXEC | LibC.O_NONBLOCK);
  }

  @AfterEach
  void close() throws ErrnoException {
    epoll.close();
    Fds.closeQuietly(pipe[0]);
    Fds.closeQuietly(pipe[1]);
  }

  @Test
  void isProbedAvailableAndCloexec() throws ErrnoException {
    assertTrue(Epoll.isAvailable());
    assertNull(Epoll.unavailabilityCause());
    assertEquals(LibC.FD_CLOEXEC, LibC.fcntl(epoll.fd(), LibC.F_GETFD));
  }

  @Test
  void structLayoutMatchesTheCpu() {
    boolean x86 = System.getProperty("os.arch").equals("amd64");
    assertEquals(x86 ? 12 : 16, EpollEventArray.SIZE);
    assertEquals(x86 ? 4 : 8, EpollEventArray.DATA_OFFSET);
  }

  @Test
  void kernelWritesEventsAtTheStrideAndOffsetsWeRead() throws ErrnoException {
    int[][] pipes = new int[3][];
    try {
      Map<Long, Integer> expected = new HashMap<>();
      for (int i = 0; i < pipes.length; i++) {
        pipes[i] = LibC.pipe2(LibC.O_CLOEXEC | LibC.O_NONBLOCK);
        long data = 0x1122334455667700L | i | (i == 2 ? 0x8000000000000000L : 0);
        epoll.add(pipes[i][0], EPOLLIN, data);
        expected.put(data, EPOLLIN);
        writeByte(pipes[i][1]);
      }
      assertEquals(3, epoll.waitEvents(events, 1000));
      Map<Long, Integer> seen = new HashMap<>();
      for (int i = 0; i < 3; i++) {
        seen.put(events.data(i), events.events(i));
      }
      assertEquals(expected, seen);
    } finally {
      for (int[] p : pipes) {
        if (p != null) {
          Fds.closeQuietly(p[0]);
          Fds.closeQuietly(p[1]);
        }
      }
    }
  }

  @Test
  void waitTimesOutWithZero() throws ErrnoException {
    epoll.add(pipe[0], EPOLLIN, 1);
    long start = System.nanoTime();
    assertEquals(0, epoll.waitEvents(events, 50));
    assertTrue(System.nanoTime() - start >= 45_000_000L, "returned before the timeout");
    assertEquals(0, epoll.waitEvents(events, 0));
  }

  @Test
  void writeEndIsWritableAndReadEndHangsUpWhenWriterCloses() throws ErrnoException {
    epoll.add(pipe[1], EPOLLOUT, 10);
    assertEquals(1, epoll.waitEvents(events, 0));
    assertEquals(EPOLLOUT, events.events(0));
    assertEquals(10, events.data(0));
    epoll.delete(pipe[1]);

    epoll.add(pipe[0], EPOLLIN, 20);
    LibC.close(pipe[1]);
    pipe[1] = -1;
    assertEquals(1, epoll.waitEvents(events, 0));
    assertEquals(EPOLLHUP, events.events(0) & EPOLLHUP);
  }

  @Test
  void modifyReplacesMaskAndData() throws ErrnoException {
    writeByte(pipe[1]);
    epoll.add(pipe[0], EPOLLOUT, 1);
    assertEquals(0, epoll.waitEvents(events, 0));
    epoll.modify(pipe[0], EPOLLIN, 2);
    assertEquals(1, epoll.waitEvents(events, 0));
    assertEquals(2, events.data(0));
  }

  @Test
  void deleteStopsReports() throws ErrnoException {
    writeByte(pipe[1]);
    epoll.add(pipe[0], EPOLLIN, 1);
    assertEquals(1, epoll.waitEvents(events, 0));
    epoll.delete(pipe[0]);
    assertEquals(0, epoll.waitEvents(events, 0));
  }

  @Test
  void levelTriggeredRepeatsEdgeTriggeredDoesNot() throws ErrnoException {
    epoll.add(pipe[0], EPOLLIN | EPOLLET, 1);
    writeByte(pipe[1]);
    assertEquals(1, epoll.waitEvents(events, 0));
    assertEquals(0, epoll.waitEvents(events, 0), "edge already reported");
    writeByte(pipe[1]);
    assertEquals(1, epoll.waitEvents(events, 0), "a new write is a new edge");

    epoll.modify(pipe[0], EPOLLIN, 1);
    assertEquals(1, epoll.waitEvents(events, 0));
    assertEquals(1, epoll.waitEvents(events, 0), "level-triggered reports while readable");
  }

  @Test
  void oneshotDisablesUntilModified() throws ErrnoException {
    epoll.add(pipe[0], EPOLLIN | EPOLLONESHOT, 7);
    writeByte(pipe[1]);
    assertEquals(1, epoll.waitEvents(events, 0));
    assertEquals(0, epoll.waitEvents(events, 0));
    epoll.modify(pipe[0], EPOLLIN | EPOLLONESHOT, 8);
    assertEquals(1, epoll.waitEvents(events, 0));
    assertEquals(8, events.data(0));
  }

  @Test
  void peerShutdownIsRdhup() throws Exception {
    try (ServerSocketChannel server =
            ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        SocketChannel client = SocketChannel.open(server.getLocalAddress());
        SocketChannel accepted = server.accept()) {
      epoll.add(ChannelDescriptors.of(accepted), EPOLLIN | EPOLLRDHUP, 5);
      assertEquals(0, epoll.waitEvents(events, 0));
      client.shutdownOutput();
      assertEquals(1, epoll.waitEvents(events, 5000));
      assertEquals(EPOLLRDHUP | EPOLLIN, events.events(0) & (EPOLLRDHUP | EPOLLIN));
    }
  }

  @Test
  void ctlErrorsCarryErrnoAndOperation() throws ErrnoException {
    epoll.add(pipe[0], EPOLLIN, 1);
    ErrnoException twice = assertThrows(ErrnoException.class, () -> epoll.add(pipe[0], EPOLLIN, 1));
    assertEquals(LinuxErrno.EEXIST, twice.errno());
    assertEquals(
        "epoll_ctl(..) failed: EEXIST (File exists): EPOLL_CTL_ADD fd " + pipe[0],
        twice.getMessage());
    ErrnoException unknown = assertThrows(ErrnoException.class, () -> epoll.delete(pipe[1]));
    assertEquals(LinuxErrno.ENOENT, unknown.errno());
    ErrnoException bad = assertThrows(ErrnoException.class, () -> epoll.add(-1, EPOLLIN, 1));
    assertEquals(LinuxErrno.EBADF, bad.errno());
  }

  @Test
  void closedEpollFailsWithEbadf() throws ErrnoException {
    epoll.close();
    assertEquals(-1, epoll.fd());
    epoll.close();
    ErrnoException e = assertThrows(ErrnoException.class, () -> epoll.waitEvents(events, 0));
    assertEquals("epoll_wait(..) failed: EBADF (Bad file descriptor)", e.getMessage());
  }

  @Test
  void eventArrayChecksBounds() {
    assertThrows(IndexOutOfBoundsException.class, () -> events.data(8));
    assertThrows(IndexOutOfBoundsException.class, () -> events.events(-1));
    assertThrows(IllegalArgumentException.class, () -> new EpollEventArray(0));
  }

  static void writeByte(int fd) throws ErrnoException {
    assertEquals(1, LibC.write(fd, ByteBuffer.wrap(new byte[] {42})));
  }
}
