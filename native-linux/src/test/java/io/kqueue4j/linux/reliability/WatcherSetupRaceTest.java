package io.kqueue4j.linux.reliability;

import static io.kqueue4j.KEvent.EVFILT_FSEVENT;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_EOF;
import static io.kqueue4j.KEvent.NOTE_REVOKE;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.filters.fsevent.FsEvent;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatcher;
import io.kqueue4j.linux.Inotify;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Directories of a watched tree removed while its {@link FsWatcher} is being set up (inotify
 * source): removed subtrees are forgotten and the rest is watched, a removed root revokes the
 * watcher or fails {@code build()} with an {@link IOException}, and nothing hangs or leaks a
 * descriptor. The first two tests remove from inside the start-up, through its progress callback
 * (after 1,000 directories are watched), so the removal lands in the middle of the walk every
 * time; the third races a removing thread against {@code build()}.
 */
@EnabledOnOs(OS.LINUX)
class WatcherSetupRaceTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @TempDir Path dir;
  private Path root;

  @BeforeEach
  void inotify() throws IOException {
    assumeTrue(Inotify.isAvailable(), "needs inotify");
    root = dir.resolve("root");
    // The source's process-wide descriptors (inotify, epoll) open with the first watcher of the
    // JVM and stay: start them before a test counts descriptors, whichever test runs first.
    Path warm = Files.createDirectory(dir.resolve("warm-up"));
    FsWatcher.builder().root(warm).build().close();
  }

  /** {@code root/a<i>/b<j>} for i, j below {@code width}, plus {@code root}. */
  private static void makeTree(Path root, int width) throws IOException {
    for (int i = 0; i < width; i++) {
      for (int j = 0; j < width; j++) {
        Files.createDirectories(root.resolve("a" + i + "/b" + j));
      }
    }
  }

  private static void removeTree(Path top) {
    try (Stream<Path> walk = Files.walk(top)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.deleteIfExists(p);
      }
    } catch (NoSuchFileException gone) {
      // removed meanwhile
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> directories(Path top) throws IOException {
    try (Stream<Path> walk = Files.walk(top)) {
      return walk.filter(Files::isDirectory).collect(Collectors.toList());
    }
  }

  @Test
  void subtrees_removed_during_setup_are_forgotten_and_the_rest_is_watched() throws Exception {
    makeTree(root, 40); // 1,641 directories
    Map<Integer, String> fdsBefore = OpenDescriptors.snapshot();
    AtomicInteger removals = new AtomicInteger();
    try (FsWatcher w = FsWatcher.builder().root(root).queueCapacity(1 << 16)
        .progress((dirs, entries, nanos, done) -> {
          if (!done && removals.getAndIncrement() == 0) {
            for (int i = 0; i < 20; i++) { // half of the tree: some walked already, some not yet
              removeTree(root.resolve("a" + i));
            }
          }
        }).build()) {
      assertEquals(1, removals.get(), "the removal ran during start-up");
      List<Path> left = directories(root);
      assertEquals(1 + 20 + 20 * 40, left.size());
      await().atMost(WAIT).until(() -> w.watchedDirectories() == left.size());
      Set<Path> expected = new HashSet<>();
      for (Path d : left) {
        Path probe = Files.createFile(d.resolve("probe"));
        expected.add(root.relativize(probe));
      }
      Set<Path> seen = new HashSet<>();
      await().atMost(WAIT).until(() -> {
        for (FsEvent e; (e = w.poll()) != null; ) {
          if (e.type() == FsEventType.CREATE_FILE) {
            seen.add(e.path());
          }
        }
        return seen.containsAll(expected);
      });
      assertTrue(!w.isRevoked());
      assertEquals(left.size(), w.watchedDirectories(), "no watch on a removed directory remains");
    }
    OpenDescriptors.awaitNoneNewSince(fdsBefore);
  }

  @Test
  void a_root_removed_during_setup_revokes_the_watcher() throws Exception {
    makeTree(root, 40);
    Map<Integer, String> fdsBefore = OpenDescriptors.snapshot();
    AtomicBoolean removed = new AtomicBoolean();
    try (KQueue kq = KQueue.emulated();
        FsWatcher w = FsWatcher.builder().root(root).queueCapacity(1 << 16)
            .progress((dirs, entries, nanos, done) -> {
              if (!done && removed.compareAndSet(false, true)) {
                removeTree(root);
              }
            }).build()) {
      assertTrue(removed.get(), "the removal ran during start-up");
      assertTrue(Files.notExists(root));
      await().atMost(WAIT).until(() -> w.isRevoked() && w.watchedDirectories() == 0);
      // A knote added now reports the revocation once, then is gone.
      kq.kevent(new KEvent[] {KEvent.of(w.id(), EVFILT_FSEVENT, EV_ADD | EV_CLEAR, 0, 0, null)},
          null, Duration.ZERO);
      KEvent[] out = new KEvent[4];
      assertEquals(1, kq.kevent(null, out, WAIT));
      assertEquals(EV_EOF, out[0].flags() & EV_EOF, out[0].toString());
      assertEquals(NOTE_REVOKE, out[0].fflags() & NOTE_REVOKE, out[0].toString());
      assertEquals(0, kq.kevent(null, out, Duration.ZERO), "reported once");
    }
    OpenDescriptors.awaitNoneNewSince(fdsBefore);
  }

  /**
   * A thread removes the whole tree while another builds a watcher on it, 30 times with the
   * removal started at different moments: {@code build()} either fails with an {@link IOException}
   * (the root was gone when it looked) or returns a watcher that ends revoked, with no watch left.
   */
  @Test
  void a_tree_removed_by_another_thread_while_watchers_start() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    Map<Integer, String> fdsBefore = OpenDescriptors.snapshot();
    int[] outcomes = new int[2]; // build failed, watcher revoked
    List<String> failures = new ArrayList<>();
    try {
      for (int round = 0; round < 30; round++) {
        Path top = dir.resolve("r" + round);
        makeTree(top, 12);
        AtomicInteger go = new AtomicInteger();
        long delayNanos = round * 100_000L; // 0 to 2.9 ms into the start-up
        Future<?> remover = pool.submit(() -> {
          while (go.get() == 0) {
            Thread.onSpinWait();
          }
          long until = System.nanoTime() + delayNanos;
          while (System.nanoTime() < until) {
            Thread.onSpinWait();
          }
          removeTree(top);
        });
        Future<Object> builder = pool.submit(() -> {
          while (go.get() == 0) {
            Thread.onSpinWait();
          }
          try {
            return FsWatcher.builder().root(top).build();
          } catch (IOException e) {
            return e;
          }
        });
        go.set(1);
        remover.get(30, TimeUnit.SECONDS);
        Object built = builder.get(30, TimeUnit.SECONDS);
        if (built instanceof IOException) {
          outcomes[0]++;
          continue;
        }
        if (!(built instanceof FsWatcher w)) {
          failures.add("round " + round + ": build() gave " + built);
          continue;
        }
        try {
          await().atMost(WAIT).until(() -> w.isRevoked() && w.watchedDirectories() == 0);
          outcomes[1]++;
        } finally {
          w.close();
        }
      }
    } finally {
      pool.shutdownNow();
    }
    assertTrue(failures.isEmpty(), failures::toString);
    OpenDescriptors.awaitNoneNewSince(fdsBefore);
    System.out.printf("[reliability] tree removed while watchers start: %d builds failed with an"
        + " IOException, %d watchers revoked%n", outcomes[0], outcomes[1]);
  }
}
