package io.kqueue4j.linux.soak;

import static io.kqueue4j.KEvent.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.fsevent.FsWatcher;
import io.kqueue4j.filters.signal.Signals;
import io.kqueue4j.kernel.EmulatedKQueue;
import io.kqueue4j.linux.LibC;
import io.kqueue4j.linux.reliability.OpenDescriptors;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens and closes kqueues, knotes of every kind and recursive watchers in a loop, and checks that
 * threads, descriptors (/proc/self/fd) and retained heap do not grow: every close gives back what
 * the open took. One soak closes whole kqueues; the other keeps one kqueue and adds and deletes
 * ({@code EV_DELETE}) its knotes, closing each round's watcher while its knote is registered.
 * Every round also watches {@code SIGUSR1} and sends it to this process, so the signal filter
 * installs and restores its handler each round.
 */
@EnabledOnOs(OS.LINUX)
class ResourceSoakTest {
  private static final long SIGNAL = Signals.SIGUSR1; // FreeBSD's number, as EVFILT_SIGNAL takes
  private static final Duration HANG_GUARD = Duration.ofSeconds(30);

  /**
   * How much the retained heap may grow between the two snapshots without counting as a leak.
   * Each snapshot is the smallest of five heap readings taken right after full collections, so it
   * is live data; on this machine the soaks moved it by 4 to 62 KiB, over 200 rounds as over
   * 5,000, when nothing leaked. A leak costs more per round than this allowance shared out over
   * the rounds: an unclosed watcher holds its queue of 4096 references (16 KiB), so 200 rounds of
   * that retain 3.2 MiB (the test fails so when made to leak it). At 1 MiB the short soaks catch
   * leaks of 5 KiB a round and up, the long ones (5,000 rounds) leaks of 210 bytes, about a knote.
   */
  private static final long HEAP_ALLOWANCE = 1L << 20;

  @Test
  void short_soak_leaves_no_threads_descriptors_or_heap_behind(@TempDir Path dir) throws Exception {
    soak(dir, 200);
  }

  @Test
  @Tag("slow")
  void long_soak_leaves_no_threads_descriptors_or_heap_behind(@TempDir Path dir) throws Exception {
    soak(dir, 5_000);
  }

  @Test
  void short_knote_churn_in_one_kqueue_leaves_nothing_behind(@TempDir Path dir) throws Exception {
    churn(dir, 200);
  }

  @Test
  @Tag("slow")
  void long_knote_churn_in_one_kqueue_leaves_nothing_behind(@TempDir Path dir) throws Exception {
    churn(dir, 5_000);
  }

  private static void churn(Path dir, int rounds) throws Exception {
    Path tree = Files.createDirectories(dir.resolve("tree/a/b"));
    Path file = Files.writeString(dir.resolve("file"), "x");
    try (KQueue kq = KQueue.emulated()) {
      churnRound(kq, tree, file, 0);
      Snapshot before = Snapshot.take();
      for (int i = 1; i <= rounds; i++) {
        churnRound(kq, tree, file, i);
      }
      assertEquals(0, ((EmulatedKQueue) kq).checkInvariants(), "knotes left in the kqueue");
      before.assertNothingLeft(rounds, "knote churn soak");
    }
  }

  /**
   * Adds a knote of every kind to {@code kq}, lets some fire, closes the watcher under its knote
   * (the knote reports {@code NOTE_REVOKE} once and goes), then deletes the others one by one.
   */
  private static void churnRound(KQueue kq, Path tree, Path file, int i) throws Exception {
    int[] pipe = FileDescriptors.pipe();
    int vnode = FileDescriptors.open(file);
    Process child = new ProcessBuilder("sleep", "60").start();
    FsWatcher watcher = FsWatcher.builder().root(tree).build();
    try {
      KEvent[] knotes = {
        KEvent.of(1, EVFILT_TIMER, EV_ADD, 0, 1, null),
        KEvent.of(2, EVFILT_USER, EV_ADD | EV_CLEAR, NOTE_TRIGGER, 0, null),
        KEvent.of(pipe[0], EVFILT_READ, EV_ADD, 0, 0, null),
        KEvent.of(pipe[1], EVFILT_WRITE, EV_ADD, 0, 0, null),
        KEvent.of(vnode, EVFILT_VNODE, EV_ADD | EV_CLEAR, NOTE_WRITE | NOTE_ATTRIB, 0, null),
        KEvent.of(child.pid(), EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, null),
        KEvent.of(SIGNAL, EVFILT_SIGNAL, EV_ADD, 0, 0, null),
      };
      kq.kevent(knotes, null, Duration.ZERO);
      kq.kevent(new KEvent[] {KEvent.of(watcher.id(), EVFILT_FSEVENT, EV_ADD | EV_CLEAR, 0, 0,
          null)}, null, Duration.ZERO);
      Files.writeString(tree.resolve("f" + (i % 4)), "round " + i);
      raiseAndAwaitSignal(kq);
      watcher.close();
      KEvent[] deletes = new KEvent[knotes.length];
      for (int k = 0; k < knotes.length; k++) {
        deletes[k] = KEvent.of(knotes[k].ident(), knotes[k].filter(), EV_DELETE, 0, 0, null);
      }
      kq.kevent(deletes, null, Duration.ZERO);
      kq.kevent(null, new KEvent[16], Duration.ZERO); // the revoked watcher's last event, if any
    } finally {
      watcher.close();
      FileDescriptors.close(pipe[0]);
      FileDescriptors.close(pipe[1]);
      FileDescriptors.close(vnode);
      child.destroy();
      child.waitFor();
    }
  }

  private static void soak(Path dir, int rounds) throws Exception {
    Path tree = Files.createDirectories(dir.resolve("tree/a/b"));
    Path file = Files.writeString(dir.resolve("file"), "x");
    round(tree, file, 0); // warm up: the shared source threads start once
    Snapshot before = Snapshot.take();
    for (int i = 1; i <= rounds; i++) {
      round(tree, file, i);
    }
    before.assertNothingLeft(rounds, "kqueue soak");
  }

  /** One kqueue with a knote of every kind and a watcher; all closed. */
  private static void round(Path tree, Path file, int i) throws Exception {
    int[] pipe = FileDescriptors.pipe();
    int vnode = FileDescriptors.open(file);
    Process child = new ProcessBuilder("true").start();
    try (KQueue kq = KQueue.emulated();
        FsWatcher watcher = FsWatcher.builder().root(tree).build()) {
      kq.kevent(new KEvent[] {
        KEvent.of(1, EVFILT_TIMER, EV_ADD, 0, 1, null),
        KEvent.of(2, EVFILT_USER, EV_ADD | EV_CLEAR, NOTE_TRIGGER, 0, null),
        KEvent.of(pipe[0], EVFILT_READ, EV_ADD, 0, 0, null),
        KEvent.of(pipe[1], EVFILT_WRITE, EV_ADD, 0, 0, null),
        KEvent.of(vnode, EVFILT_VNODE, EV_ADD | EV_CLEAR, NOTE_WRITE | NOTE_ATTRIB, 0, null),
        KEvent.of(watcher.id(), EVFILT_FSEVENT, EV_ADD | EV_CLEAR, 0, 0, watcher),
        KEvent.of(SIGNAL, EVFILT_SIGNAL, EV_ADD, 0, 0, null),
        KEvent.of(child.pid(), EVFILT_PROC, EV_ADD | EV_RECEIPT, NOTE_EXIT, 0, null),
      }, new KEvent[8], Duration.ZERO);
      Files.writeString(tree.resolve("f" + (i % 4)), "round " + i);
      raiseAndAwaitSignal(kq);
    } finally {
      FileDescriptors.close(pipe[0]);
      FileDescriptors.close(pipe[1]);
      FileDescriptors.close(vnode);
      child.waitFor();
    }
  }

  /**
   * Sends {@code SIGUSR1} to this process and reads {@code kq} until its signal knote reports it,
   * so that the knote is deleted only after the delivery (the handler goes with the last knote).
   */
  private static void raiseAndAwaitSignal(KQueue kq) throws Exception {
    LibC.kill((int) ProcessHandle.current().pid(), LibC.SIGUSR1);
    KEvent[] out = new KEvent[16];
    long deadline = System.nanoTime() + HANG_GUARD.toNanos();
    while (System.nanoTime() < deadline) {
      int n = kq.kevent(null, out, Duration.ofMillis(100));
      for (int k = 0; k < n; k++) {
        if (out[k].filter() == EVFILT_SIGNAL && out[k].ident() == SIGNAL) {
          assertTrue(out[k].data() >= 1, "deliveries counted: " + out[k]);
          return;
        }
      }
    }
    throw new AssertionError("SIGUSR1 was not reported within " + HANG_GUARD);
  }

  /** What the process holds at one moment. */
  private record Snapshot(Set<Thread> threads, Map<Integer, String> fds, long heap) {

    static Snapshot take() throws InterruptedException {
      return new Snapshot(liveThreads(), OpenDescriptors.snapshot(), retainedHeap());
    }

    /**
     * Fails unless every descriptor and thread the rounds opened is gone again (waiting for those
     * the JVM releases by itself) and the retained heap grew by less than {@link #HEAP_ALLOWANCE}.
     */
    void assertNothingLeft(int rounds, String soak) throws InterruptedException {
      OpenDescriptors.awaitNoneNewSince(fds);
      awaitNoThreadNewSince(threads);
      long after = retainedHeap();
      assertTrue(after - heap < HEAP_ALLOWANCE, "retained heap grew by " + (after - heap)
          + " bytes over " + rounds + " rounds: " + heap + " -> " + after);
      System.out.printf("[reliability] %s, %,d rounds: %d threads, %d descriptors, retained heap "
          + "%,d -> %,d bytes%n", soak, rounds, threads.size(), fds.size(), heap, after);
    }
  }

  /** Every live thread of the JVM, whatever its group (unlike {@link Thread#activeCount}). */
  private static Set<Thread> liveThreads() {
    return Thread.getAllStackTraces().keySet();
  }

  /**
   * Waits until every live thread was alive in {@code before}, so that a thread the JVM ends by
   * itself is not a leak and one that stays fails, named. Such threads: the one that runs each
   * signal's handler, and the idle threads of the JDK's process reaper pool and common fork-join
   * pool, which end after 60 s unused; hence up to 90 s, which only a leak waits out.
   */
  private static void awaitNoThreadNewSince(Set<Thread> before) {
    try {
      Awaitility.await().pollInSameThread().atMost(Duration.ofSeconds(90))
          .until(() -> newThreads(before).isEmpty());
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("threads left running: " + newThreads(before), e);
    }
  }

  private static Set<String> newThreads(Set<Thread> before) {
    return liveThreads().stream().filter(t -> !before.contains(t))
        .map(t -> t.getName() + " (" + t.getState() + ")").collect(Collectors.toSet());
  }

  /** The heap in use after full collections: the smallest of five readings. */
  private static long retainedHeap() throws InterruptedException {
    long heap = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(20); // let reference processing and finalizing threads run between collections
      heap = Math.min(heap, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return heap;
  }
}
