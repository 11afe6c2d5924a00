package io.kqueue4j.linux.descriptor;

import static io.kqueue4j.KEvent.EVFILT_READ;
import static io.kqueue4j.KEvent.EVFILT_WRITE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.EV_DISPATCH;
import static io.kqueue4j.KEvent.EV_ENABLE;
import static io.kqueue4j.KEvent.EV_ERROR;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.EmulatedKQueue;
import io.kqueue4j.linux.Fds;
import io.kqueue4j.linux.LibC;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Knotes on real descriptors through their life: {@code EV_CLEAR}, {@code EV_DISPATCH}, {@code
 * EV_ONESHOT}, closing a descriptor with an event pending ({@code knote_fdclose}), {@code EBADF},
 * the same descriptor in two kqueues, and a number reused behind the kernel's back.
 */
@EnabledOnOs(OS.LINUX)
class KnoteLifecycleTest {
  private KQueue kq;
  private int[] pipe;

  @BeforeEach
  void open() throws Exception {
    kq = KQueue.emulated();
    pipe = FileDescriptors.pipe();
  }

  @AfterEach
  void close() {
    kq.close();
    Io.closeQuietly(pipe[0], pipe[1]);
  }

  private static boolean pending(KQueue queue) throws Exception {
    return (Syscalls.poll(queue.fd(), Syscalls.POLLIN) & Syscalls.POLLIN) != 0;
  }

  @Test
  void closingTheDescriptorDropsItsPendingEventAndKnote() throws Exception {
    pipe[0] = Fds.raise(pipe[0]); // stays closed: the EV_DELETE below must meet no other file
    kq.fd(); // the kqueue's own descriptor, readable exactly while an event is queued
    Io.add(kq, pipe[0], EVFILT_READ, EV_ADD, 0, 0);
    // A second knote that outlives the close; EV_DISPATCH so that, once delivered, it is disabled
    // and cannot keep the kqueue readable.
    Io.add(kq, pipe[1], EVFILT_WRITE, EV_ADD | EV_DISPATCH, 0, 0);
    assertEquals(EVFILT_WRITE, Io.next(kq).filter());
    assertFalse(pending(kq), "nothing queued before the write");
    Io.write(pipe[1], 10);
    // Only the read knote can make the kqueue readable now; polling its descriptor consumes nothing.
    await().pollDelay(Duration.ZERO).atMost(10, SECONDS).until(() -> pending(kq));
    assertEquals(2, ((EmulatedKQueue) kq).checkInvariants());

    FileDescriptors.close(pipe[0]);
    assertFalse(pending(kq), "the queued read event was dropped with its knote");
    assertArrayEquals(new KEvent[0], Io.poll(kq), "no event is delivered");
    assertEquals(1, ((EmulatedKQueue) kq).checkInvariants(), "the read knote is gone");
    KEvent delete = Io.change(kq, pipe[0], EVFILT_READ, EV_DELETE, 0, 0);
    assertEquals(Errno.EBADF, delete.data(), "the descriptor is closed");
    Io.add(kq, pipe[1], EVFILT_WRITE, EV_ENABLE, 0, 0);
    assertEquals(pipe[1], Io.next(kq).ident(), "the other descriptor's knote is untouched");
  }

  @Test
  void registeringAClosedDescriptorIsEbadf() throws Exception {
    int[] closed = Fds.highPipe();
    FileDescriptors.close(closed[0]);
    FileDescriptors.close(closed[1]);
    KEvent read = Io.change(kq, closed[0], EVFILT_READ, EV_ADD, 0, 0);
    assertEquals(EV_ERROR, read.flags() & EV_ERROR);
    assertEquals(Errno.EBADF, read.data());
    KEvent never = Io.change(kq, 1_000_000, EVFILT_WRITE, EV_ADD, 0, 0);
    assertEquals(Errno.EBADF, never.data(), "a number that was never opened");
    KQueueException thrown = assertThrows(KQueueException.class,
        () -> Io.add(kq, closed[1], EVFILT_WRITE, EV_ADD, 0, 0));
    assertEquals(Errno.EBADF, thrown.errno(), "without room for an error entry, kevent throws");
  }

  @Test
  void evClearReportsOnlyNewArrivals() throws Exception {
    Io.add(kq, pipe[0], EVFILT_READ, EV_ADD | EV_CLEAR, 0, 0);
    Io.write(pipe[1], 3);
    assertEquals(3, Io.next(kq).data());
    assertEquals(0, Io.poll(kq).length, "EV_CLEAR: not again while nothing new arrives");

    Io.write(pipe[1], 2);
    assertEquals(5, Io.next(kq).data(), "data is the buffered total");
  }

  @Test
  void evClearOnASocketReportsEachArrival() throws Exception {
    try (ServerSocketChannel listener = ServerSocketChannel.open()) {
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      try (SocketChannel client = SocketChannel.open(listener.getLocalAddress());
          SocketChannel server = listener.accept()) {
        int fd = FileDescriptors.of(server);
        Io.add(kq, fd, EVFILT_READ, EV_ADD | EV_CLEAR, 0, 0);
        client.write(ByteBuffer.allocate(4));
        assertEquals(4, Io.next(kq).data());
        assertEquals(0, Io.poll(kq).length);
        client.write(ByteBuffer.allocate(6));
        assertEquals(10, Io.next(kq).data());
      }
    }
  }

  @Test
  void evDispatchDisablesAfterDeliveryUntilEnabled() throws Exception {
    try (KQueue witness = KQueue.emulated()) {
      // The witness's EV_CLEAR knote fires only from the source's post. It is added first, and a
      // knote list posts to its newest knote first, so once the witness sees the post, the
      // dispatch knote has been evaluated by that same post.
      Io.add(witness, pipe[0], EVFILT_READ, EV_ADD | EV_CLEAR, 0, 0);
      Io.add(kq, pipe[0], EVFILT_READ, EV_ADD | EV_DISPATCH, 0, 0);
      Io.write(pipe[1], 8);
      assertEquals(8, Io.next(kq).data());
      assertEquals(8, Io.next(witness).data());

      Io.write(pipe[1], 1);
      assertEquals(9, Io.next(witness).data(), "the post of the second write happened");
      assertEquals(0, Io.poll(kq).length, "the dispatched knote stays disabled");

      Io.add(kq, pipe[0], EVFILT_READ, EV_ENABLE, 0, 0);
      assertEquals(9, Io.next(kq).data(), "enabled again, the pending data is reported");
    }
  }

  @Test
  void evOneshotDeliversOnceAndDeletes() throws Exception {
    Io.add(kq, pipe[0], EVFILT_READ, EV_ADD | EV_ONESHOT, 0, 0);
    Io.write(pipe[1], 2);
    KEvent ev = Io.next(kq);
    assertEquals(2, ev.data());
    assertEquals(EV_ONESHOT, ev.flags() & EV_ONESHOT);
    assertEquals(0, Io.poll(kq).length);
    assertEquals(Errno.ENOENT, Io.change(kq, pipe[0], EVFILT_READ, EV_DELETE, 0, 0).data());
  }

  @Test
  void oneDescriptorInTwoKqueues() throws Exception {
    try (KQueue other = KQueue.emulated()) {
      Io.add(kq, pipe[0], EVFILT_READ, EV_ADD, 0, 0);
      Io.add(other, pipe[0], EVFILT_READ, EV_ADD, 0, 0);
      Io.write(pipe[1], 6);
      assertEquals(6, Io.next(kq).data());
      assertEquals(6, Io.next(other).data());

      Io.add(kq, pipe[0], EVFILT_READ, EV_DELETE, 0, 0);
      Io.write(pipe[1], 1);
      await().atMost(10, SECONDS).until(() -> {
        KEvent[] events = Io.poll(other);
        return events.length == 1 && events[0].data() == 7;
      });
      assertEquals(0, Io.poll(kq).length, "deleted in the first kqueue only");

      FileDescriptors.close(pipe[0]);
      pipe[0] = -1; // not for the @AfterEach to close again: the number may be reused by then
      assertEquals(0, Io.poll(other).length, "closing drops the knote in every kqueue");
      assertEquals(0, ((EmulatedKQueue) other).checkInvariants());
    }
  }

  @Test
  void aNumberReusedBehindTheKernelsBackIsWatchedAfreshOnEvAdd() throws Exception {
    int number = pipe[0];
    Io.add(kq, number, EVFILT_READ, EV_ADD, 0, 0);
    LibC.close(number); // not through FileDescriptors: the knote stays, as the kernel cannot know
    int[] reused = FileDescriptors.pipe();
    try {
      assumeTrue(reused[0] == number, "the lowest free number was reused");
      Io.add(kq, number, EVFILT_READ, EV_ADD, 0, 0);
      Io.write(reused[1], 4);
      KEvent ev = Io.next(kq);
      assertEquals(number, ev.ident());
      assertEquals(4, ev.data(), "the new pipe is the one watched");
    } finally {
      Io.closeQuietly(reused);
      pipe[0] = -1;
    }
  }

  @Test
  void closeOfAChannelDescriptorClosesTheChannel() throws Exception {
    try (ServerSocketChannel listener = ServerSocketChannel.open()) {
      int fd = FileDescriptors.of(listener);
      Io.add(kq, fd, EVFILT_READ, EV_ADD, 0, 0);
      FileDescriptors.close(fd);
      assertFalse(listener.isOpen());
      assertEquals(0, ((EmulatedKQueue) kq).checkInvariants());
    }
  }
}
