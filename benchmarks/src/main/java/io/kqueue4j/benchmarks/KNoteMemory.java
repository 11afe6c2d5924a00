package io.kqueue4j.benchmarks;

import static io.kqueue4j.KEvent.EVFILT_TIMER;
import static io.kqueue4j.KEvent.EVFILT_USER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;

import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.util.HashMap;
import java.util.Map;

/**
 * Target 6: retained heap per idle knote, as the difference in used heap (after repeated {@code
 * System.gc()}) between before and after registering {@code count} knotes in a fresh emulated
 * kqueue, divided by {@code count}. Measures {@code EVFILT_USER} knotes ({@code EV_ADD | EV_CLEAR},
 * not triggered) and, when a filter for it is installed, {@code EVFILT_TIMER} knotes with a period
 * of one hour; the peer is a {@code HashMap<Long, Object>} entry, the least a registry of the same
 * keys retains.
 *
 * <p>Usage: {@code KNoteMemory [count]} (default 1,000,000). Prints one line per measurement and,
 * for {@link Compare}, a line {@code RESULT <name> <bytes per entry>} each.
 */
public final class KNoteMemory {
  private static final long HOUR_MS = 3_600_000;

  private KNoteMemory() {}

  public static void main(String[] args) throws KQueueException {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    report("user", count, measure(count, () -> register(count, EVFILT_USER, 0)));
    if (timerInstalled()) {
      report("timer", count, measure(count, () -> register(count, EVFILT_TIMER, HOUR_MS)));
    } else {
      System.out.println("timer: skipped, no EVFILT_TIMER filter installed");
    }
    report("hashmap", count, measure(count, () -> hashMap(count)));
  }

  private interface Builder {
    Object build() throws KQueueException;
  }

  private static double measure(int count, Builder builder) throws KQueueException {
    long before = usedHeapAfterGc();
    Object retained = builder.build();
    long after = usedHeapAfterGc();
    Reference.reachabilityFence(retained);
    if (retained instanceof KQueue kq) {
      kq.close();
    }
    return (after - before) / (double) count;
  }

  private static KQueue register(int count, short filter, long data) throws KQueueException {
    KQueue kq = KQueue.emulated();
    KEventBuffer changes = new KEventBuffer(1000);
    for (int i = 1; i <= count; i++) {
      changes.add(i, filter, EV_ADD | EV_CLEAR, 0, data, null);
      if (changes.size() == changes.capacity() || i == count) {
        kq.kevent(changes, null, 0);
        changes.clear();
      }
    }
    return kq;
  }

  private static Map<Long, Object> hashMap(int count) {
    Map<Long, Object> map = new HashMap<>();
    Object value = new Object();
    for (long i = 1; i <= count; i++) {
      map.put(i, value);
    }
    return map;
  }

  private static boolean timerInstalled() {
    try (KQueue kq = KQueue.emulated()) {
      kq.kevent(new KEventBuffer(1).add(1, EVFILT_TIMER, EV_ADD, 0, HOUR_MS, null), null, 0);
      return true;
    } catch (KQueueException e) {
      return false;
    }
  }

  private static long usedHeapAfterGc() {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  private static void report(String name, int count, double bytes) {
    System.out.printf("%s: %,d entries retain %.1f bytes each%n", name, count, bytes);
    System.out.printf("RESULT %s %.2f%n", name, bytes);
  }
}
