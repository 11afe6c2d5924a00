package io.kqueue4j.linux.reliability;

import static io.kqueue4j.KEvent.EVFILT_READ;
import static io.kqueue4j.KEvent.EVFILT_TIMER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.EV_DISABLE;
import static io.kqueue4j.KEvent.EV_ENABLE;
import static io.kqueue4j.KEvent.EV_ERROR;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static io.kqueue4j.KEvent.EV_RECEIPT;
import static io.kqueue4j.KEvent.NOTE_USECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.EmulatedKQueue;
import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.LibC;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The stress of {@code ConcurrentStressTest} (kqueue-core) with real sources firing from their own
 * threads: writer threads write to pipes, which the epoll thread turns into posts, and the shared
 * timer thread fires oneshot timers, while registrars add, delete, disable and enable knotes and
 * scanners collect events, all on one kqueue for a bounded time.
 *
 * <ul>
 *   <li><b>stable pipes</b> keep one {@code EV_CLEAR} read knote for the whole run, never disabled:
 *       once the writers stop and the scanners have drained, every byte written has been read, so
 *       no readiness edge was lost (an {@code EV_CLEAR} knote is announced again only by a new
 *       write);
 *   <li><b>churn pipes</b> get their knote added, deleted, disabled and enabled at random while
 *       written; nothing is checked but the errnos, the rest of the run and the invariants;
 *   <li><b>oneshot timers</b> of 0.1 to 2 ms, each on a fresh ident, some deleted at random: each is
 *       delivered at most once, never after a delete that succeeded, and exactly once otherwise.
 * </ul>
 *
 * <p>A second test closes the queue under the same load: every thread ends ({@code EBADF}), none
 * hangs, and every descriptor the knotes took is given back. {@code -Dkq.seed=<seed>} repeats the
 * threads' choices.
 */
@EnabledOnOs(OS.LINUX)
class RealSourceStressTest {
  private static final int STABLE = 4;
  private static final int CHURN = 4;
  private static final int REGISTRARS = 2;
  private static final int MAX_OUTSTANDING_TIMERS = 40;

  /** Everything one run shares. */
  private static final class Rig {
    final KQueue kq = KQueue.emulated();
    final int[][] pipes = new int[STABLE + CHURN][];
    final AtomicLongArray written = new AtomicLongArray(STABLE + CHURN);
    final AtomicLongArray read = new AtomicLongArray(STABLE + CHURN);
    final Map<Long, AtomicInteger> timerDeliveries = new ConcurrentHashMap<>();
    final Map<Long, Boolean> timerDeleted = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    final AtomicBoolean stopWriters = new AtomicBoolean();
    final AtomicBoolean stopRegistrars = new AtomicBoolean();
    final AtomicBoolean stopScanners = new AtomicBoolean();
    final AtomicLong calls = new AtomicLong();
    final AtomicLong pipeEvents = new AtomicLong();
    volatile boolean closing;
    final List<Thread> writers = new ArrayList<>();
    final List<Thread> registrars = new ArrayList<>();
    final List<Thread> scanners = new ArrayList<>();

    Rig() throws Exception {
      for (int i = 0; i < pipes.length; i++) {
        pipes[i] = FileDescriptors.pipe();
        LibC.fcntl(pipes[i][0], LibC.F_SETFL, LibC.fcntl(pipes[i][0], LibC.F_GETFL) | LibC.O_NONBLOCK);
        LibC.fcntl(pipes[i][1], LibC.F_SETFL, LibC.fcntl(pipes[i][1], LibC.F_GETFL) | LibC.O_NONBLOCK);
      }
      KEvent[] stable = new KEvent[STABLE];
      for (int i = 0; i < STABLE; i++) {
        stable[i] = KEvent.of(pipes[i][0], EVFILT_READ, EV_ADD | EV_CLEAR, 0, 0, i);
      }
      kq.kevent(stable, null, Duration.ZERO);
    }

    Thread thread(String name, List<Thread> group, Runnable body) {
      Thread t = new Thread(() -> {
        try {
          body.run();
        } catch (Throwable e) {
          violations.add(Thread.currentThread().getName() + " died: " + e);
        }
      }, "real-stress-" + name);
      t.setDaemon(true);
      group.add(t);
      return t;
    }

    /** Whether a failed call ends the thread (the queue is closed) or is a violation. */
    boolean ends(KQueueException e) {
      if (closing && e.errno() == Errno.EBADF) {
        return true;
      }
      violations.add(Thread.currentThread().getName() + ": " + e.getMessage());
      return false;
    }

    void writer(Random r, AtomicBoolean stop) {
      ByteBuffer one = ByteBuffer.allocateDirect(1);
      while (!stop.get()) {
        int p = r.nextInt(pipes.length);
        try {
          if (LibC.write(pipes[p][1], one.clear()) == 1) {
            written.incrementAndGet(p);
          }
        } catch (ErrnoException e) {
          violations.add("write: " + e);
        }
        if (r.nextInt(16) == 0) {
          Thread.yield();
        }
      }
    }

    void registrar(int id, Random r) {
      long nextTimer = (long) (id + 1) << 40;
      List<Long> outstanding = new ArrayList<>();
      KEvent[] out = new KEvent[1];
      while (!stopRegistrars.get()) {
        calls.incrementAndGet();
        try {
          if (r.nextBoolean()) {
            outstanding.removeIf(t -> timerDeliveries.containsKey(t) || timerDeleted.containsKey(t));
            if (outstanding.size() < MAX_OUTSTANDING_TIMERS && r.nextInt(3) > 0) {
              long ident = nextTimer++;
              outstanding.add(ident);
              kq.kevent(new KEvent[] {KEvent.of(ident, EVFILT_TIMER, EV_ADD | EV_ONESHOT,
                  NOTE_USECONDS, 100 + r.nextInt(1900), ident)}, null, Duration.ZERO);
            } else if (!outstanding.isEmpty()) {
              long ident = outstanding.get(r.nextInt(outstanding.size()));
              kq.kevent(new KEvent[] {KEvent.of(ident, EVFILT_TIMER, EV_DELETE | EV_RECEIPT, 0, 0,
                  null)}, out, Duration.ZERO);
              if (out[0].data() == 0) {
                timerDeleted.put(ident, true);
              } else if (out[0].data() != Errno.ENOENT) {
                violations.add("timer delete: " + out[0]);
              }
            }
          } else {
            int p = STABLE + r.nextInt(CHURN);
            int[] choices = {EV_ADD | EV_CLEAR, EV_ADD, EV_DELETE, EV_DISABLE, EV_ENABLE};
            kq.kevent(new KEvent[] {KEvent.of(pipes[p][0], EVFILT_READ,
                choices[r.nextInt(choices.length)] | EV_RECEIPT, 0, 0, p)}, out, Duration.ZERO);
            if (out[0].data() != 0 && out[0].data() != Errno.ENOENT) {
              violations.add("pipe change: " + out[0]);
            }
          }
        } catch (KQueueException e) {
          if (ends(e)) {
            return;
          }
        }
      }
    }

    void scanner(Random r) {
      KEvent[] out = new KEvent[16];
      ByteBuffer buf = ByteBuffer.allocateDirect(4096);
      Duration[] timeouts = {Duration.ZERO, Duration.ofMillis(1), Duration.ofMillis(5)};
      while (!stopScanners.get()) {
        calls.incrementAndGet();
        int n;
        try {
          n = kq.kevent(null, out, timeouts[r.nextInt(timeouts.length)]);
        } catch (KQueueException e) {
          if (ends(e)) {
            return;
          }
          continue;
        }
        for (int i = 0; i < n; i++) {
          accept(out[i], buf);
        }
      }
    }

    void accept(KEvent ev, ByteBuffer buf) {
      if ((ev.flags() & EV_ERROR) != 0) {
        violations.add("error event " + ev);
      } else if (ev.filter() == EVFILT_TIMER) {
        long ident = ev.ident();
        if (!(ev.udata() instanceof Long token) || token != ident) {
          violations.add("timer event with foreign udata " + ev);
        }
        int times = timerDeliveries.computeIfAbsent(ident, k -> new AtomicInteger())
            .incrementAndGet();
        if (times > 1) {
          violations.add("oneshot timer " + ident + " delivered " + times + " times");
        }
      } else if (ev.filter() == EVFILT_READ) {
        pipeEvents.incrementAndGet();
        int p = (Integer) ev.udata();
        try {
          for (int got; (got = LibC.read(pipes[p][0], buf.clear())) > 0; ) {
            read.addAndGet(p, got);
          }
        } catch (ErrnoException e) {
          violations.add("read: " + e);
        }
      } else {
        violations.add("unexpected event " + ev);
      }
    }

    void start(long seed) {
      Random seeds = new Random(seed);
      for (int i = 0; i < 2; i++) {
        Random r = new Random(seeds.nextLong());
        thread("writer-" + i, writers, () -> writer(r, stopWriters));
      }
      for (int i = 0; i < REGISTRARS; i++) {
        int id = i;
        Random r = new Random(seeds.nextLong());
        thread("registrar-" + i, registrars, () -> registrar(id, r));
      }
      for (int i = 0; i < 2; i++) {
        Random r = new Random(seeds.nextLong());
        thread("scanner-" + i, scanners, () -> scanner(r));
      }
      writers.forEach(Thread::start);
      registrars.forEach(Thread::start);
      scanners.forEach(Thread::start);
    }

    static void join(List<Thread> threads, List<String> hung) throws InterruptedException {
      for (Thread t : threads) {
        t.join(20_000);
        if (t.isAlive()) {
          hung.add(t.getName() + " at " + List.of(t.getStackTrace()));
        }
      }
    }

    /** Stops every thread, closes the queue and the pipes; what is left to check has been. */
    void shutDown() {
      stopWriters.set(true);
      stopRegistrars.set(true);
      stopScanners.set(true);
      kq.close();
      closePipes();
    }

    private void closePipes() {
      for (int[] p : pipes) {
        for (int fd : p) {
          try {
            FileDescriptors.close(fd);
          } catch (KQueueException e) {
            violations.add("close " + fd + ": " + e);
          }
        }
      }
    }
  }

  @Test
  void every_write_and_timer_is_accounted_for() throws Exception {
    run(Duration.ofSeconds(4));
  }

  @Test
  @Tag("slow")
  void every_write_and_timer_is_accounted_for_long_run() throws Exception {
    run(Duration.ofSeconds(60));
  }

  private static void run(Duration length) throws Exception {
    long seed = Long.getLong("kq.seed", System.nanoTime());
    Rig rig = new Rig();
    List<String> hung = new ArrayList<>();
    long start = System.nanoTime();
    try {
      rig.start(seed);
      Thread.sleep(length.toMillis()); // the run's length; the checks wait on conditions
      rig.stopWriters.set(true);
      rig.stopRegistrars.set(true);
      Rig.join(rig.writers, hung);
      Rig.join(rig.registrars, hung);
      // The scanners go on until the timers have fired and the stable pipes are drained.
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (System.nanoTime() < deadline && !(timersSettled(rig) && stableDrained(rig))) {
        Thread.sleep(10);
      }
      rig.stopScanners.set(true);
      Rig.join(rig.scanners, hung);
      assertTrue(hung.isEmpty(), "hung threads: " + hung);
      ((EmulatedKQueue) rig.kq).checkInvariants();
      for (int p = 0; p < STABLE; p++) {
        assertEquals(rig.written.get(p), rig.read.get(p), "seed " + seed + ": stable pipe " + p
            + ": bytes written but never announced (a lost readiness edge)");
      }
      for (Map.Entry<Long, Boolean> deleted : rig.timerDeleted.entrySet()) {
        assertTrue(!rig.timerDeliveries.containsKey(deleted.getKey()), "seed " + seed
            + ": timer " + deleted.getKey() + " delivered although its delete succeeded");
      }
      assertTrue(timersSettled(rig), "seed " + seed + ": timers neither deleted nor delivered");
      List<String> found = List.copyOf(rig.violations);
      assertTrue(found.isEmpty(), () -> "seed " + seed + ": " + found);
      long bytes = 0;
      for (int p = 0; p < rig.pipes.length; p++) {
        bytes += rig.written.get(p);
      }
      System.out.printf("[reliability] real-source stress (seed %d, %.1f s): %,d bytes written,"
          + " %,d read events, %,d oneshot timers delivered, %,d deleted, %,d kevent calls%n",
          seed, (System.nanoTime() - start) / 1e9, bytes, rig.pipeEvents.get(),
          rig.timerDeliveries.size(), rig.timerDeleted.size(), rig.calls.get());
    } finally {
      rig.shutDown();
    }
  }

  /** Every timer registered is delivered or deleted (idents are dense per registrar). */
  private static boolean timersSettled(Rig rig) {
    long registered = 0;
    for (int id = 0; id < REGISTRARS; id++) {
      long first = (long) (id + 1) << 40;
      long k = first;
      while (rig.timerDeliveries.containsKey(k) || rig.timerDeleted.containsKey(k)) {
        k++;
      }
      // k is the first ident neither delivered nor deleted: none may follow it.
      for (long j = k + 1; j < k + 2 * MAX_OUTSTANDING_TIMERS; j++) {
        if (rig.timerDeliveries.containsKey(j) || rig.timerDeleted.containsKey(j)) {
          return false;
        }
      }
      registered += k - first;
    }
    return registered == rig.timerDeliveries.size() + rig.timerDeleted.size();
  }

  private static boolean stableDrained(Rig rig) {
    for (int p = 0; p < STABLE; p++) {
      if (rig.written.get(p) != rig.read.get(p)) {
        return false;
      }
    }
    return true;
  }

  @Test
  void closing_under_load_ends_every_thread_and_gives_back_every_descriptor() throws Exception {
    Map<Integer, String> before = OpenDescriptors.snapshot();
    for (int round = 0; round < 3; round++) {
      Rig rig = new Rig();
      List<String> hung = new ArrayList<>();
      try {
        rig.start(1000 + round);
        long target = 2_000L * (round + 1);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (rig.calls.get() < target && System.nanoTime() < deadline) {
          Thread.sleep(1);
        }
        rig.closing = true;
        rig.kq.close(); // writers and timers keep firing into it
        Rig.join(rig.registrars, hung);
        Rig.join(rig.scanners, hung);
        rig.stopWriters.set(true);
        Rig.join(rig.writers, hung);
        assertTrue(hung.isEmpty(), "hung threads: " + hung);
        assertEquals(0, ((EmulatedKQueue) rig.kq).checkInvariants(), "knotes left after close");
        List<String> found = List.copyOf(rig.violations);
        String where = "round " + round;
        assertTrue(found.isEmpty(), () -> where + ": " + found);
      } finally {
        rig.shutDown();
      }
    }
    assertTrue(OpenDescriptors.newSince(before).isEmpty(),
        () -> "descriptors left open: " + OpenDescriptors.newSince(before));
  }
}
