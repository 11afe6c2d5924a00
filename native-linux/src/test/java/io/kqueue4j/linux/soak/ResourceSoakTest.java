package io.kqueue4j.linux.soak;

import static io.kqueue4j.KEvent.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.filters.fsevent.FsWatcher;
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
 * the open took.
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
