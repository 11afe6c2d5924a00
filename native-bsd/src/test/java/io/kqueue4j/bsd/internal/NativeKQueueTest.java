package io.kqueue4j.bsd.internal;

import static io.kqueue4j.KEvent.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueueException;
import io.kqueue4j.testing.CallThread;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the binding adds to the kernel, through a {@link FakeKernel} of every ABI: udata tokens that
 * do not leak, waking blocked threads on interrupt and close, refusing what the OS cannot express
 * with {@code EINVAL}, errno translation, and the bytes that go to the kernel.
 */
class NativeKQueueTest {
  private final List<FakeKernel> kernels = new ArrayList<>();

  private FakeKernel kernel(FakeAbi abi) {
    FakeKernel kernel = new FakeKernel(abi);
    kernels.add(kernel);
    return kernel;
  }

  private NativeKQueue open(FakeKernel kernel, FakeAbi abi) throws KQueueException {
    return NativeKQueue.open(kernel, abi.layout());
  }

  @AfterEach
  void noViolations() {
    for (FakeKernel kernel : kernels) {
      assertEquals(List.of(), kernel.violations());
      kernel.shutdown();
    }
  }

  private static KEvent[] poll(NativeKQueue kq) throws KQueueException {
    KEvent[] out = new KEvent[64];
    int n = kq.kevent(null, out, Duration.ZERO);
    return java.util.Arrays.copyOf(out, n);
  }

  private static void add(NativeKQueue kq, long ident, short filter, int flags, int fflags,
      Object udata) throws KQueueException {
    kq.kevent(new KEvent[] {KEvent.of(ident, filter, flags, fflags, 0, udata)}, null,
        Duration.ZERO);
  }

  private static KEvent change(NativeKQueue kq, long ident, short filter, int flags, int fflags,
      Object udata) throws KQueueException {
    KEvent[] out = new KEvent[1];
    assertEquals(1, kq.kevent(new KEvent[] {KEvent.of(ident, filter, flags, fflags, 0, udata)},
        out, Duration.ZERO));
    return out[0];
  }

  // ---------------------------------------------------------------- udata

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void udata_tokens_are_released_by_delete_oneshot_and_close(FakeAbi abi) throws Exception {
    FakeKernel kernel = kernel(abi);
    NativeKQueue kq = open(kernel, abi);
    for (int i = 1; i <= 50; i++) {
      add(kq, i, EVFILT_USER, EV_ADD | EV_CLEAR, NOTE_TRIGGER, "u" + i);
    }
    assertEquals(50, kq.liveTokens());
    KEvent[] events = poll(kq);
    assertEquals(50, events.length);
    for (KEvent ev : events) {
      assertEquals("u" + ev.ident(), ev.udata(), "udata comes back with its knote");
    }
    for (int i = 1; i <= 25; i++) {
      add(kq, i, EVFILT_USER, EV_DELETE, 0, null);
    }
    assertEquals(25, kq.liveTokens(), "EV_DELETE releases");
    for (int i = 26; i <= 35; i++) {
      add(kq, i, EVFILT_USER, EV_ADD | EV_CLEAR, 0, "v" + i); // replaces u_i
    }
    assertEquals(25, kq.liveTokens(), "a new udata releases the old one");
    add(kq, 100, EVFILT_USER, EV_ADD | EV_ONESHOT, NOTE_TRIGGER, "once");
    KEvent[] once = poll(kq);
    assertEquals(1, once.length);
    assertEquals("once", once[0].udata());
    assertEquals(25, kq.liveTokens(), "a delivered EV_ONESHOT event releases");
    assertEquals(Errno.ENOENT, change(kq, 7, EVFILT_USER, EV_ENABLE, 0, null).data());
    kq.close();
    assertEquals(0, kq.liveTokens(), "close releases everything");
    assertEquals(0, kernel.openQueues(), "and the descriptor is closed");
  }

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void a_deleted_knotes_udata_can_be_collected(FakeAbi abi) throws Exception {
    NativeKQueue kq = open(kernel(abi), abi);
    Object udata = new Object();
    WeakReference<Object> ref = new WeakReference<>(udata);
    add(kq, 1, EVFILT_USER, EV_ADD, 0, udata);
    udata = null;
    add(kq, 1, EVFILT_USER, EV_DELETE, 0, null);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
      System.gc();
      return ref.get() == null;
    });
    kq.close();
  }

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void keepudata_works_where_the_os_lacks_it(FakeAbi abi) throws Exception {
    NativeKQueue kq = open(kernel(abi), abi);
    Object first = new Object();
    add(kq, 1, EVFILT_USER, EV_ADD | EV_CLEAR, 0, first);
    add(kq, 1, EVFILT_USER, EV_KEEPUDATA, NOTE_TRIGGER, "ignored");
    assertSame(first, poll(kq)[0].udata());
    assertEquals(1, kq.liveTokens());
    kq.close();
  }

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void tokens_of_changes_with_unknown_outcome_are_kept_then_released(FakeAbi abi)
      throws Exception {
    NativeKQueue kq = open(kernel(abi), abi);
    KEvent[] changes = {
      KEvent.of(1, EVFILT_USER, EV_ADD, 0, 0, "a"),
      KEvent.of(2, (short) -99, EV_ADD, 0, 0, "b"),
      KEvent.of(3, EVFILT_USER, EV_ADD, 0, 0, "c"),
    };
    KQueueException e = assertThrows(KQueueException.class,
        () -> kq.kevent(changes, null, Duration.ZERO));
    assertEquals(Errno.EINVAL, e.errno());
    assertTrue(kq.liveTokens() >= 1, "which change failed is unknown: tokens are kept");
    add(kq, 1, EVFILT_USER, EV_DELETE, 0, null);
    assertEquals(Errno.ENOENT, change(kq, 3, EVFILT_USER, EV_DELETE, 0, null).data(),
        "the change after the failing one was not applied");
    // FreeBSD is sent filter -99 itself, with a token; elsewhere the change is refused unsent
    int kept = abi.layout().dialect() == Dialect.FREEBSD ? 1 : 0;
    assertEquals(kept, kq.liveTokens(), "known outcomes released the others");
    kq.close();
    assertEquals(0, kq.liveTokens());
  }

  // ---------------------------------------------------------------- waking

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void interrupt_wakes_a_thread_blocked_in_the_kernel(FakeAbi abi) throws Exception {
    NativeKQueue kq = open(kernel(abi), abi);
    CountDownLatch started = new CountDownLatch(1);
    CompletableFuture<String> result = new CompletableFuture<>();
    Thread waiter = new Thread(() -> {
      started.countDown();
      try {
        int n = kq.kevent(null, new KEvent[1], null);
        result.complete(n + " interrupted=" + Thread.currentThread().isInterrupted());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    });
    waiter.start();
    started.await();
    Thread.sleep(100); // let it block in the (uninterruptible) fake system call
    waiter.interrupt();
    assertEquals("0 interrupted=true", result.get(10, TimeUnit.SECONDS));
    add(kq, 1, EVFILT_USER, EV_ADD | EV_CLEAR, NOTE_TRIGGER, null);
    assertEquals(1, poll(kq).length, "the wake-up knote's event is never returned");
    kq.close();
  }

  /**
   * The binding tells an interrupted waiter from the others by its status while it is in the
   * kernel, and a real {@code kevent(2)} never clears that status. Neither may the fake: it once
   * did for an instant (a {@code Future.get} consumed the interrupt before the status was set
   * again), and another waiter that looked then reset the wake-up knote, leaving the interrupted
   * one asleep.
   */
  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void a_waiter_stays_interrupted_while_it_waits_in_the_kernel(FakeAbi abi) throws Exception {
    FakeKernel kernel = kernel(abi);
    NativeKQueue kq = open(kernel, abi);
    for (int round = 0; round < 5; round++) { // the window was an instant: look several times
      Thread[] waiter = new Thread[1];
      CompletableFuture<Object> returned = CallThread.start("waiter", waiter, new AtomicBoolean(),
          () -> kq.kevent(null, new KEvent[1], Duration.ofSeconds(30)));
      Awaitility.await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
          .atMost(Duration.ofSeconds(10)).until(() -> kernel.isBlocked(waiter[0]));
      waiter[0].interrupt();
      while (!returned.isDone()) {
        // in this order: a waiter that leaves the kernel between the reads is not in it any more
        boolean interrupted = waiter[0].isInterrupted();
        assertTrue(interrupted || !kernel.isBlocked(waiter[0]),
            "the waiter's interrupt status was clear while it waited in the kernel");
      }
      assertEquals(0, returned.get(10, TimeUnit.SECONDS), "an interrupted waiter returns 0");
    }
    kq.close();
  }

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void interrupting_one_of_several_waiters_wakes_that_one(FakeAbi abi) throws Exception {
    NativeKQueue kq = open(kernel(abi), abi);
    List<Thread> threads = new ArrayList<>();
    List<CompletableFuture<Integer>> results = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      CompletableFuture<Integer> r = new CompletableFuture<>();
      Thread t = new Thread(() -> {
        try {
          r.complete(kq.kevent(null, new KEvent[1], Duration.ofSeconds(30)));
        } catch (Throwable e) {
          r.completeExceptionally(e);
        }
      });
      t.start();
      threads.add(t);
      results.add(r);
    }
    Thread.sleep(150);
    threads.get(1).interrupt();
    assertEquals(0, results.get(1).get(10, TimeUnit.SECONDS));
    kq.close();
    for (int i : new int[] {0, 2}) {
      Throwable t = assertThrows(java.util.concurrent.ExecutionException.class,
          () -> results.get(i).get(10, TimeUnit.SECONDS)).getCause();
      assertEquals(Errno.EBADF, ((KQueueException) t).errno());
    }
  }

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void close_wakes_every_waiter_and_then_closes_the_descriptor(FakeAbi abi) throws Exception {
    FakeKernel kernel = kernel(abi);
    NativeKQueue kq = open(kernel, abi);
    List<CompletableFuture<Throwable>> waiters = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      waiters.add(CompletableFuture.supplyAsync(() -> {
        try {
          kq.kevent(null, new KEvent[4], null);
          return null;
        } catch (Throwable t) {
          return t;
        }
      }, r -> new Thread(r).start()));
    }
    Thread.sleep(150);
    kq.close();
    for (CompletableFuture<Throwable> w : waiters) {
      Throwable t = w.get(10, TimeUnit.SECONDS);
      assertTrue(t instanceof KQueueException, String.valueOf(t));
      assertEquals(Errno.EBADF, ((KQueueException) t).errno());
    }
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> kernel.openQueues() == 0);
    assertThrows(KQueueException.class, kq::fd);
  }

  // ---------------------------------------------------------------- what the OS cannot express

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void forceoneshot_fails_with_einval_where_the_os_lacks_it(FakeAbi abi) throws Exception {
    NativeKQueue kq = open(kernel(abi), abi);
    add(kq, 1, EVFILT_USER, EV_ADD, 0, "u");
    KEvent[] out = new KEvent[2];
    KEvent[] changes = {
      KEvent.of(1, EVFILT_USER, EV_FORCEONESHOT, 0, 0, "x"),
      KEvent.of(2, EVFILT_USER, EV_ADD | EV_RECEIPT, 0, 0, null),
    };
    int n = kq.kevent(changes, out, Duration.ZERO);
    if (abi.layout().dialect() == Dialect.FREEBSD) {
      assertEquals(1, n, "only the receipt");
      assertEquals(2, out[0].ident());
      assertEquals(1, poll(kq).length, "the forced event");
    } else {
      assertEquals(2, n);
      assertEquals(KEvent.of(1, EVFILT_USER, EV_ERROR, 0, Errno.EINVAL, "x"), out[0],
          "refused in place, with the change's own filter and udata");
      assertEquals(0, out[1].data(), "later changes still apply");
    }
    kq.close();
  }

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void the_wake_up_knote_cannot_be_named(FakeAbi abi) throws Exception {
    NativeKQueue kq = open(kernel(abi), abi);
    KEvent err = change(kq, NativeKQueue.WAKE_IDENT, EVFILT_USER, EV_DELETE, 0, null);
    assertEquals(EV_ERROR, err.flags());
    assertEquals(Errno.EINVAL, err.data());
    kq.close();
  }

  // ---------------------------------------------------------------- the bytes

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void the_kernel_sees_its_own_constants(FakeAbi abi) throws Exception {
    FakeKernel kernel = kernel(abi);
    NativeKQueue kq = open(kernel, abi);
    kernel.changeLog().clear();
    KEvent[] out = new KEvent[2];
    kq.kevent(new KEvent[] {
      KEvent.of(7, EVFILT_USER, EV_ADD | EV_CLEAR | EV_DISPATCH, NOTE_FFCOPY | 0x123, -5, "u"),
      KEvent.of(8, EVFILT_TIMER, EV_ADD | EV_ONESHOT, NOTE_USECONDS | NOTE_ABSTIME, 1L << 40,
          null),
    }, out, Duration.ZERO);
    long[] user = kernel.changeLog().get(0);
    long[] timer = kernel.changeLog().get(1);
    int[] osUser = {-11, -11, -10, -10, 8, 8, -10, -11};
    int[] osTimer = {-7, -7, -7, -7, 6, 6, -7, -7};
    int[] osMicrosAbs = {0x14, 0x14, 0xA, 0xA, 0x12, 0x12, 0x12, 0xA};
    int i = abi.ordinal();
    assertEquals(7, user[0]);
    assertEquals(osUser[i], user[1], "EVFILT_USER as " + abi);
    assertEquals(EV_ADD | EV_CLEAR | EV_DISPATCH, user[2]);
    assertEquals(NOTE_FFCOPY | 0x123, (int) user[3]);
    assertEquals(-5, user[4]);
    assertTrue(user[5] != 0, "udata travels as a token");
    assertEquals(osTimer[i], timer[1], "EVFILT_TIMER as " + abi);
    assertEquals(osMicrosAbs[i], (int) timer[3], "NOTE_USECONDS|NOTE_ABSTIME as " + abi);
    assertEquals(1L << 40, timer[4], "64-bit data");
    assertEquals(0, timer[5], "null udata is 0");
    kq.close();
  }

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void errno_is_translated_to_freebsds(FakeAbi abi) {
    int osEagain = abi.layout().dialect() == Dialect.LIBKQUEUE ? 11 : 35;
    FakeKernel kernel = kernel(abi).failingKqueue(osEagain);
    KQueueException e = assertThrows(KQueueException.class, () -> open(kernel, abi));
    assertEquals(Errno.EAGAIN, e.errno());
    assertTrue(e.getMessage().startsWith("kqueue(..) failed: EAGAIN"), e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void a_kernel_without_evfilt_user_is_refused(FakeAbi abi) {
    FakeKernel kernel = kernel(abi).withoutUserFilter();
    KQueueException e = assertThrows(KQueueException.class, () -> open(kernel, abi));
    assertEquals(Errno.EINVAL, e.errno());
    assertTrue(e.getMessage().contains("EVFILT_USER"), e.getMessage());
    assertEquals(0, kernel.openQueues(), "the descriptor was closed");
  }

  @Test
  void backend_and_fd_name_the_kernels_queue() throws Exception {
    FakeKernel kernel = kernel(FakeAbi.NETBSD11);
    NativeKQueue kq = open(kernel, FakeAbi.NETBSD11);
    assertEquals("native netbsd11 (fake netbsd11)", kq.backend());
    assertEquals(1, kernel.openQueues());
    assertTrue(kq.fd() > 0);
    kq.close();
    kq.close();
    assertEquals(0, kernel.openQueues());
  }
}
