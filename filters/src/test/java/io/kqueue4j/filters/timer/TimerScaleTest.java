package io.kqueue4j.filters.timer;

import static io.kqueue4j.KEvent.EVFILT_TIMER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.KEvent;
import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Many timers on the real-time service: throughput, the cost of idle timers, memory. */
class TimerScaleTest {

  private static void register(KQueue kq, long first, int count, int flags, long data)
      throws KQueueException {
    KEventBuffer changes = new KEventBuffer(8192);
    for (long ident = first; ident < first + count; ) {
      changes.clear();
      while (changes.size() < changes.capacity() && ident < first + count) {
        changes.add(ident++, EVFILT_TIMER, flags, 0, data, null);
      }
      kq.kevent(changes, null, 0);
    }
  }

  @Test
  void hundredThousandPeriodicTimersAllFireAndCountEveryPeriod() throws KQueueException {
    int n = 100_000;
    long periodMs = 250;
    try (KQueue kq = KQueue.emulated()) {
      long regStart = System.nanoTime();
      register(kq, 0, n, EV_ADD, periodMs);
      long regEnd = System.nanoTime();
      long[] totals = new long[n];
      KEventBuffer events = new KEventBuffer(16384);
      long runUntil = regEnd + Duration.ofMillis(1300).toNanos();
      long drainStart;
      while (true) {
        drainStart = System.nanoTime();
        if (drainStart >= runUntil) {
          break;
        }
        kq.kevent(null, events, 50_000_000L);
        for (int i = 0; i < events.size(); i++) {
          totals[(int) events.ident(i)] += events.data(i);
        }
      }
      do { // whatever is pending now
        kq.kevent(null, events, 0);
        for (int i = 0; i < events.size(); i++) {
          totals[(int) events.ident(i)] += events.data(i);
        }
      } while (events.size() == events.capacity());
      long drainEnd = System.nanoTime();
      long period = Duration.ofMillis(periodMs).toNanos();
      long least = (drainStart - regEnd) / period - 1;
      long most = (drainEnd - regStart) / period + 1;
      long[] sorted = totals.clone();
      Arrays.sort(sorted);
      assertTrue(sorted[0] >= least && sorted[n - 1] <= most,
          "per-timer totals from " + sorted[0] + " to " + sorted[n - 1] + ", expected "
              + least + ".." + most);
    }
  }

  /**
   * A due timer among a million idle ones is delivered, not early, and alone. (That it is as prompt
   * as without them is a speed target, measured by {@code TimerBenchmark} in {@code benchmarks}
   * with its {@code idle} timers.)
   */
  @Test
  void aDueTimerAmongAMillionIdleOnesIsDeliveredAlone() throws Exception {
    try (KQueue kq = KQueue.emulated()) {
      register(kq, 1000, 1_000_000, EV_ADD, Duration.ofHours(1).toMillis());
      KEvent[] out = new KEvent[2];
      long start = System.nanoTime();
      kq.kevent(new KEvent[] {KEvent.of(7, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 5, null)}, null,
          Duration.ZERO);
      assertEquals(1, kq.kevent(null, out, Duration.ofSeconds(10)));
      long waited = System.nanoTime() - start;
      assertEquals(7, out[0].ident());
      assertEquals(1, out[0].data());
      assertTrue(waited >= Duration.ofMillis(5).toNanos(), "fired after " + waited + " ns");
      assertEquals(0, kq.kevent(null, out, Duration.ZERO), "an idle timer fired");
    }
  }

  /**
   * A million idle timers cost under 160 bytes each with their knotes, measured as the heap used
   * after a full GC; slow because it depends on the collector's accounting of two large arrays.
   */
  @Test
  @Tag("slow")
  void aMillionIdleTimersCostUnder160BytesEach() throws Exception {
    int n = 1_000_000;
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    try (KQueue kq = KQueue.emulated()) {
      long before = usedAfterGc(memory);
      long start = System.nanoTime();
      register(kq, 1000, n, EV_ADD, Duration.ofHours(1).toMillis());
      long registerMs = (System.nanoTime() - start) / 1_000_000;
      double perTimer = (usedAfterGc(memory) - before) / (double) n;
      System.out.printf("1M idle timers: registered in %d ms, %.1f bytes each%n", registerMs,
          perTimer);
      assertTrue(perTimer < 160, "bytes per idle timer with its knote: " + perTimer);
    }
  }

  private static long usedAfterGc(MemoryMXBean memory) throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
