package io.kqueue4j.linux.reliability;

import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.testing.CallThread.start;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.Descriptors;
import io.kqueue4j.kernel.EmulatedKQueue;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.KEventSink;
import io.kqueue4j.kernel.KNote;
import io.kqueue4j.linux.Fds;
import io.kqueue4j.testing.CallThread.Call;
import io.kqueue4j.testing.FilterSlot;
import io.kqueue4j.testing.Gate;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Interrupts of {@link FileDescriptors#close} while it waits for a knote of the descriptor, a real
 * pipe's read end: for a knote another thread's scan holds in flux ({@code knote_fdclose} waits in
 * {@code EmulatedKQueue.descriptorClosed}), and for a registration of the descriptor under way (the
 * descriptor table's lock). Both waits are uninterruptible, as FreeBSD's are: the interrupt does
 * not end them, the close completes once the knote leaves flux or is registered, drops the knote
 * (detaching it once) and closes the descriptor, and the interrupt status is still set. An event
 * the scan was delivering is delivered.
 *
 * <p>A test filter on the descriptor blocks in {@code process} or {@code attach} on a latch. The
 * closing thread counts as waiting when it is parked and its stack shows the wait called by the
 * close; that it saw the interrupt and went on waiting shows as its interrupt status consumed (the
 * uninterruptible wait clears it and sets it again on return) while it is parked there again.
 */
@EnabledOnOs(OS.LINUX)
class DescriptorCloseInterruptTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** A descriptor filter that blocks in {@code process} or in {@code attach} until released. */
  static final class BlockingDescriptorFilter implements FilterOps {
    final Gate gate = new Gate();
    final AtomicInteger detached = new AtomicInteger();
    private final boolean blockInAttach;

    BlockingDescriptorFilter(boolean blockInAttach) {
      this.blockInAttach = blockInAttach;
    }

    @Override
    public boolean isFd() {
      return true;
    }

    @Override
    public void attach(KNote kn) {
      if (blockInAttach) {
        gate.pass();
      }
    }

    @Override
    public void detach(KNote kn) {
      detached.incrementAndGet();
    }

    @Override
    public boolean event(KNote kn, long hint) {
      return true;
    }

    @Override
    public boolean process(KNote kn, KEventSink out) {
      if (!blockInAttach) {
        gate.pass();
      }
      kn.deliverTo(out);
      return true;
    }
  }

  /**
   * Whether {@code t} is parked and its stack shows {@code wait} (class and method) called by
   * {@code caller}.
   */
  private static boolean parkedIn(Thread t, Class<?> waitClass, String wait, Class<?> callerClass,
      String caller) {
    if (t.getState() != Thread.State.WAITING) {
      return false;
    }
    StackTraceElement[] stack = t.getStackTrace();
    for (int i = 0; i + 1 < stack.length; i++) {
      if (stack[i].getClassName().equals(waitClass.getName())
          && stack[i].getMethodName().equals(wait)) {
        return stack[i + 1].getClassName().equals(callerClass.getName())
            && stack[i + 1].getMethodName().equals(caller);
      }
    }
    return false;
  }

  private static boolean inFluxWaitOfClose(Thread t) {
    return parkedIn(t, EmulatedKQueue.class, "fluxWait", EmulatedKQueue.class, "descriptorClosed");
  }

  private static boolean onTheDescriptorTableLock(Thread t) {
    return parkedIn(t, ReentrantReadWriteLock.WriteLock.class, "lock", Descriptors.class, "close");
  }

  /**
   * Interrupts {@code closer} once {@code waiting} holds for it, then waits until it holds again
   * with the interrupt consumed; fails if the close, {@code closed}, ends meanwhile.
   */
  private static void interruptAndSeeItWaitOn(Thread closer, CompletableFuture<Object> closed,
      Predicate<Thread> waiting) {
    await().atMost(WAIT).until(() -> waiting.test(closer));
    closer.interrupt();
    await().atMost(WAIT).until(() -> {
      assertFalse(closed.isDone(), () -> "the interrupt ended the close's wait: " + closed.join());
      return !closer.isInterrupted() && waiting.test(closer);
    });
    assertFalse(closed.isDone(), "the interrupt did not end the close's wait");
  }

  private static Call closing(int fd) {
    return () -> {
      FileDescriptors.close(fd);
      return "closed";
    };
  }

  /** The descriptor was closed for real: closing it again fails with {@code EBADF}. */
  private static void assertClosed(int fd) {
    KQueueException e = assertThrows(KQueueException.class, () -> FileDescriptors.close(fd));
    assertEquals(Errno.EBADF, e.errno());
  }

  @Test
  void close_waiting_for_a_knote_in_flux_in_a_scan_completes_after_it_status_kept()
      throws Exception {
    BlockingDescriptorFilter filter = new BlockingDescriptorFilter(false);
    int[] pipe = Fds.highPipe();
    try (FilterSlot slot = FilterSlot.install(filter)) {
      EmulatedKQueue kq = EmulatedKQueue.open();
      try {
        kq.kevent(new KEvent[] {KEvent.of(pipe[0], slot.filter, EV_ADD | EV_CLEAR, 0, 0, "u")},
            null, Duration.ZERO);
        CompletableFuture<Object> scanned = start("scanner", new Thread[1], new AtomicBoolean(),
            () -> {
              KEvent[] out = new KEvent[4];
              return Arrays.copyOf(out, kq.kevent(null, out, Duration.ZERO));
            });
        assertTrue(filter.gate.awaitEntered(10, TimeUnit.SECONDS), "the scan is in process");
        Thread[] closer = new Thread[1];
        AtomicBoolean keptStatus = new AtomicBoolean();
        CompletableFuture<Object> closed = start("closer", closer, keptStatus, closing(pipe[0]));
        interruptAndSeeItWaitOn(closer[0], closed, DescriptorCloseInterruptTest::inFluxWaitOfClose);
        assertEquals(0, filter.detached.get(), "the knote is still there");
        filter.gate.open();
        assertArrayEquals(new KEvent[] {KEvent.of(pipe[0], slot.filter, EV_CLEAR, 0, 0, "u")},
            (KEvent[]) scanned.get(10, TimeUnit.SECONDS), "the event in delivery is delivered");
        assertEquals("closed", closed.get(10, TimeUnit.SECONDS));
        assertTrue(keptStatus.get(), "the interrupt status stays set");
        assertEquals(1, filter.detached.get(), "the close dropped the knote once it left flux");
        assertEquals(0, kq.checkInvariants());
        assertEquals(0, kq.kevent(null, new KEvent[4], Duration.ZERO));
        assertClosed(pipe[0]);
      } finally {
        filter.gate.open();
        kq.close();
      }
    } finally {
      FileDescriptors.close(pipe[1]);
    }
  }

  @Test
  void close_waiting_for_a_registration_on_the_descriptor_completes_after_it_status_kept()
      throws Exception {
    BlockingDescriptorFilter filter = new BlockingDescriptorFilter(true);
    int[] pipe = Fds.highPipe();
    try (FilterSlot slot = FilterSlot.install(filter)) {
      EmulatedKQueue kq = EmulatedKQueue.open();
      try {
        CompletableFuture<Object> added = start("adder", new Thread[1], new AtomicBoolean(),
            () -> kq.kevent(new KEvent[] {KEvent.of(pipe[0], slot.filter, EV_ADD, 0, 0, null)},
                null, Duration.ZERO));
        assertTrue(filter.gate.awaitEntered(10, TimeUnit.SECONDS), "the registration is in attach");
        Thread[] closer = new Thread[1];
        AtomicBoolean keptStatus = new AtomicBoolean();
        CompletableFuture<Object> closed = start("closer", closer, keptStatus, closing(pipe[0]));
        interruptAndSeeItWaitOn(closer[0], closed,
            DescriptorCloseInterruptTest::onTheDescriptorTableLock);
        filter.gate.open();
        assertEquals(0, added.get(10, TimeUnit.SECONDS), "the registration came first");
        assertEquals("closed", closed.get(10, TimeUnit.SECONDS));
        assertTrue(keptStatus.get(), "the interrupt status stays set");
        assertEquals(1, filter.detached.get(), "the close dropped the registered knote");
        assertEquals(0, kq.checkInvariants());
        assertEquals(0, kq.kevent(null, new KEvent[4], Duration.ZERO), "no event of the knote");
        assertClosed(pipe[0]);
      } finally {
        filter.gate.open();
        kq.close();
      }
    } finally {
      FileDescriptors.close(pipe[1]);
    }
  }
}
