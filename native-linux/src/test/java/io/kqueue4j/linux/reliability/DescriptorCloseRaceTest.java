package io.kqueue4j.linux.reliability;

import static io.kqueue4j.KEvent.EVFILT_READ;
import static io.kqueue4j.KEvent.EVFILT_WRITE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_RECEIPT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.EmulatedKQueue;
import io.kqueue4j.linux.Fds;
import io.kqueue4j.linux.LibC;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * A descriptor closed with {@link FileDescriptors#close} while another thread registers it: the
 * registration either fails with {@code EBADF} or succeeds and the close then drops the knote
 * ({@code knote_fdclose}); either way no knote on the closed descriptor is left in the kqueue, no
 * event for it is delivered, and no descriptor leaks. Both threads start together from a spin and
 * one of them waits a random few hundred nanoseconds, so the close lands before, during and after
 * the registration over the rounds.
 *
 * <p>The raced descriptor is moved above the numbers the JVM hands out: other threads of the JVM
 * open files too (HotSpot reads its cgroup limits), and one given the just-closed number would make
 * a registration after the close legitimately succeed on their descriptor.
 */
@EnabledOnOs(OS.LINUX)
class DescriptorCloseRaceTest {
  private static final int ROUNDS = 3_000;

  @Test
  void a_descriptor_closed_while_it_is_registered_leaves_no_knote() throws Exception {
    long seed = Long.getLong("kq.seed", System.nanoTime());
    Random random = new Random(seed);
    startTheDescriptorSource();
    Map<Integer, String> fdsBefore = OpenDescriptors.snapshot();
    int[] outcomes = new int[2]; // registered then dropped, EBADF
    ExecutorService pool = Executors.newFixedThreadPool(2);
    KQueue shared = KQueue.emulated();
    int[] keep = FileDescriptors.pipe(); // a long-lived knote: the shared queue holds fd knotes
    try {
      shared.kevent(new KEvent[] {KEvent.of(keep[0], EVFILT_READ, EV_ADD, 0, 0, null)}, null,
          Duration.ZERO);
      for (int round = 0; round < ROUNDS; round++) {
        boolean fresh = round % 3 == 0; // a queue whose first descriptor knote this is
        KQueue kq = fresh ? KQueue.emulated() : shared;
        int baseline = fresh ? 0 : 1;
        try {
          race(pool, kq, baseline, random, outcomes, "seed " + seed + ", round " + round);
        } finally {
          if (fresh) {
            kq.close();
          }
        }
      }
      assertEquals(1, ((EmulatedKQueue) shared).checkInvariants());
    } finally {
      pool.shutdownNow();
      shared.close();
      FileDescriptors.close(keep[0]);
      FileDescriptors.close(keep[1]);
    }
    OpenDescriptors.awaitNoneNewSince(fdsBefore);
    System.out.printf("[reliability] close racing registration (seed %d): %d registered then"
        + " dropped, %d EBADF%n", seed, outcomes[0], outcomes[1]);
    assertTrue(outcomes[0] + outcomes[1] == ROUNDS);
  }

  /**
   * The descriptor source's process-wide descriptors (epoll, its eventfd) open with the first
   * descriptor knote of the JVM and stay: start them before counting, whichever test runs first.
   */
  private static void startTheDescriptorSource() throws KQueueException {
    int[] pipe = FileDescriptors.pipe();
    try (KQueue kq = KQueue.emulated()) {
      kq.kevent(new KEvent[] {KEvent.of(pipe[0], EVFILT_READ, EV_ADD, 0, 0, null)}, null,
          Duration.ZERO);
    } finally {
      FileDescriptors.close(pipe[0]);
      FileDescriptors.close(pipe[1]);
    }
  }

  private static void race(ExecutorService pool, KQueue kq, int baseline, Random random,
      int[] outcomes, String where) throws Exception {
    int[] pipe = Fds.highPipe();
    LibC.write(pipe[1], ByteBuffer.allocateDirect(1)); // the read side is ready at once
    int readFd = pipe[0];
    AtomicInteger go = new AtomicInteger();
    int closerDelay = random.nextInt(400);
    int registrarDelay = random.nextInt(400);
    Future<Object> registrar = pool.submit(() -> {
      spin(go, registrarDelay);
      KEvent[] out = new KEvent[2];
      try {
        int n = kq.kevent(new KEvent[] {
          KEvent.of(readFd, EVFILT_READ, EV_ADD | EV_CLEAR | EV_RECEIPT, 0, 0, null),
          KEvent.of(readFd, EVFILT_WRITE, EV_ADD | EV_RECEIPT, 0, 0, null)}, out, Duration.ZERO);
        return (Object) Arrays.asList(out).subList(0, n);
      } catch (KQueueException e) {
        return e;
      }
    });
    Future<Object> closer = pool.submit(() -> {
      spin(go, closerDelay);
      try {
        FileDescriptors.close(readFd);
        return (Object) "closed";
      } catch (KQueueException e) {
        return e;
      }
    });
    go.set(1);
    Object registered = registrar.get(10, TimeUnit.SECONDS);
    assertEquals("closed", closer.get(10, TimeUnit.SECONDS), where);
    assertTrue(registered instanceof List<?>, where + ": " + registered);
    List<?> receipts = (List<?>) registered;
    assertEquals(2, receipts.size(), where + ": " + receipts);
    KEvent read = (KEvent) receipts.get(0);
    assertTrue(read.data() == 0 || read.data() == Errno.EBADF, where + ": " + read);
    outcomes[read.data() == 0 ? 0 : 1]++;
    // EVFILT_WRITE on a pipe's read end: EBADF when closed first, else accepted and dropped too.
    KEvent write = (KEvent) receipts.get(1);
    assertTrue(write.data() == 0 || write.data() == Errno.EBADF, where + ": " + write);
    EmulatedKQueue emulated = (EmulatedKQueue) kq;
    assertEquals(baseline, emulated.checkInvariants(),
        where + ": a knote on the closed descriptor " + readFd + " was left (receipts " + receipts
            + ")");
    KEvent[] events = new KEvent[8];
    int n = kq.kevent(null, events, Duration.ZERO);
    List<KEvent> forClosed = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (events[i].ident() == readFd) {
        forClosed.add(events[i]);
      }
    }
    assertTrue(forClosed.isEmpty(), where + ": events for the closed descriptor " + forClosed);
    FileDescriptors.close(pipe[1]);
  }

  private static void spin(AtomicInteger go, int delay) {
    while (go.get() == 0) {
      Thread.onSpinWait();
    }
    long until = System.nanoTime() + delay;
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
  }
}
