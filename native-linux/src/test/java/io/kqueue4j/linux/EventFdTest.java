package io.kqueue4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

@EnabledOnOs(OS.LINUX)
class EventFdTest {

  private EventFd eventFd;
  private Epoll epoll;
  private final EpollEventArray events = new EpollEventArray(4);

  @BeforeEach
  void open() throws ErrnoException {
    eventFd = EventFd.open();
    epoll = Epoll.open();
    epoll.add(eventFd.fd(), Epoll.EPOLLIN, 99);
  }

  @AfterEach
  void close() throws ErrnoException {
    epoll.close();
    eventFd.close();
  }

  @Test
  void isProbedAvailableNonblockingAndCloexec() throws ErrnoException {
    assertTrue(EventFd.isAvailable());
    assertNull(EventFd.unavailabilityCause());
    assertEquals(LibC.FD_CLOEXEC, LibC.fcntl(eventFd.fd(), LibC.F_GETFD));
    assertEquals(LibC.O_NONBLOCK, LibC.fcntl(eventFd.fd(), LibC.F_GETFL) & LibC.O_NONBLOCK);
  }

  @Test
  void readableFromSignalUntilDrain() throws ErrnoException {
    assertEquals(0, epoll.waitEvents(events, 0));
    eventFd.signal();
    assertEquals(1, epoll.waitEvents(events, 0));
    assertEquals(99, events.data(0));
    assertEquals(1, epoll.waitEvents(events, 0), "still readable: level-triggered until drained");
    assertEquals(1, eventFd.drain());
    assertEquals(0, epoll.waitEvents(events, 0));
  }

  @Test
  void signalsCoalesceAndDrainWithoutSignalReturnsZero() throws ErrnoException {
    assertEquals(0, eventFd.drain());
    eventFd.signal();
    eventFd.signal();
    eventFd.signal();
    assertEquals(3, eventFd.drain());
    assertEquals(0, eventFd.drain());
  }

  @Test
  void signalFromAnotherThreadWakesABlockedWait() throws Exception {
    CompletableFuture<Integer> waiter =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return epoll.waitEvents(new EpollEventArray(1), -1);
              } catch (ErrnoException e) {
                throw new IllegalStateException(e);
              }
            });
    eventFd.signal();
    assertEquals(1, waiter.get(10, TimeUnit.SECONDS));
  }

  @Test
  void signalWaitDrainAllocatesNothing() throws ErrnoException {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    for (int i = 0; i < 20_000; i++) {
      roundTrip();
    }
    long before = threads.getThreadAllocatedBytes(thread);
    for (int i = 0; i < 20_000; i++) {
      roundTrip();
    }
    long allocated = threads.getThreadAllocatedBytes(thread) - before;
    assertTrue(allocated < 4096, "allocated " + allocated + " bytes in 20000 round trips");
  }

  private void roundTrip() throws ErrnoException {
    eventFd.signal();
    if (epoll.waitEvents(events, 0) != 1 || events.data(0) != 99 || eventFd.drain() != 1) {
      throw new AssertionError("round trip lost the signal");
    }
  }

  @Test
  void closedEventFdFailsWithEbadf() throws ErrnoException {
    eventFd.close();
    ErrnoException e = assertThrows(ErrnoException.class, eventFd::signal);
    assertEquals(LinuxErrno.EBADF, e.errno());
  }
}
