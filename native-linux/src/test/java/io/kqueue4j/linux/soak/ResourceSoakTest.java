package io.kqueue4j.linux.soak;

import static io.kqueue4j.KEvent.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.filters.fsevent.FsWatcher;
import io.kqueue4j.kernel.EmulatedKQueue;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens and closes kqueues, knotes of every kind and recursive watchers in a loop, and checks that
 * threads, descriptors (/proc/self/fd) and retained heap do not grow: every close gives back what
 * the open took. One soak closes whole kqueues; the other keeps one kqueue and adds and deletes
 * ({@code EV_DELETE}) its knotes, closing each round's watcher while its knote is registered.
 */
class ResourceSoakTest {

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
      Snapshot after = Snapshot.take();
      assertEquals(before.threads, after.threads, "threads: " + before + " -> " + after);
      assertEquals(before.fds, after.fds, "descriptors: " + before + " -> " + after);
      assertTrue(after.heap - before.heap < 8L << 20, "retained heap grew by more than 8 MiB over "
          + rounds + " rounds: " + before + " -> " + after);
      System.out.printf("[reliability] knote churn soak, %,d rounds: %s -> %s%n", rounds, before,
          after);
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
      };
      kq.kevent(knotes, null, Duration.ZERO);
      kq.kevent(new KEvent[] {KEvent.of(watcher.id(), EVFILT_FSEVENT, EV_ADD | EV_CLEAR, 0, 0,
          null)}, null, Duration.ZERO);
      Files.writeString(tree.resolve("f" + (i % 4)), "round " + i);
      KEvent[] out = new KEvent[16];
      kq.kevent(null, out, Duration.ofMillis(2));
      watcher.close();
      KEvent[] deletes = new KEvent[knotes.length];
      for (int k = 0; k < knotes.length; k++) {
        deletes[k] = KEvent.of(knotes[k].ident(), knotes[k].filter(), EV_DELETE, 0, 0, null);
      }
      kq.kevent(deletes, null, Duration.ZERO);
      kq.kevent(null, out, Duration.ZERO); // the revoked watcher's last event, if not seen yet
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
    Snapshot after = Snapshot.take();
    assertEquals(before.threads, after.threads, "threads: " + before + " -> " + after);
    assertEquals(before.fds, after.fds, "descriptors: " + before + " -> " + after);
    assertTrue(after.heap - before.heap < 8L << 20,
        "retained heap grew by more than 8 MiB over " + rounds + " rounds: " + before + " -> " + after);
    System.out.printf("[reliability] kqueue soak, %,d rounds: %s -> %s%n", rounds, before, after);
  }

  /** One kqueue with a timer, a user event, a pipe, a process, a vnode and a watcher; all closed. */
  private static void round(Path tree, Path file, int i) throws Exception {
    int[] pipe = FileDescriptors.pipe();
    int vnode = FileDescriptors.open(file);
    Process child = new ProcessBuilder("true").start();
    try (KQueue kq = KQueue.emulated();
        FsWatcher watcher = FsWatcher.builder().root(tree).build()) {
      KEvent[] out = new KEvent[8];
      kq.kevent(new KEvent[] {
        KEvent.of(1, EVFILT_TIMER, EV_ADD, 0, 1, null),
        KEvent.of(2, EVFILT_USER, EV_ADD | EV_CLEAR, NOTE_TRIGGER, 0, null),
        KEvent.of(pipe[0], EVFILT_READ, EV_ADD, 0, 0, null),
        KEvent.of(pipe[1], EVFILT_WRITE, EV_ADD, 0, 0, null),
        KEvent.of(vnode, EVFILT_VNODE, EV_ADD | EV_CLEAR, NOTE_WRITE | NOTE_ATTRIB, 0, null),
        KEvent.of(watcher.id(), EVFILT_FSEVENT, EV_ADD | EV_CLEAR, 0, 0, watcher),
        KEvent.of(child.pid(), EVFILT_PROC, EV_ADD | EV_RECEIPT, NOTE_EXIT, 0, null),
      }, out, Duration.ZERO);
      Files.writeString(tree.resolve("f" + (i % 4)), "round " + i);
      kq.kevent(null, out, Duration.ofMillis(2));
    } finally {
      FileDescriptors.close(pipe[0]);
      FileDescriptors.close(pipe[1]);
      FileDescriptors.close(vnode);
      child.waitFor();
    }
  }

  private record Snapshot(int threads, long fds, long heap) {
    static Snapshot take() throws IOException, InterruptedException {
      long heap = Long.MAX_VALUE;
      for (int i = 0; i < 5; i++) {
        System.gc();
        Thread.sleep(20); // let reference processing and finalizing threads run between collections
        heap = Math.min(heap, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
      }
      long fds;
      try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
        fds = entries.count();
      }
      return new Snapshot(Thread.activeCount(), fds, heap);
    }
  }
}
