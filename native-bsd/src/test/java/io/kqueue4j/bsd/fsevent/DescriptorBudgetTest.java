package io.kqueue4j.bsd.fsevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.fsevent.FsEventSink;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatch;
import io.kqueue4j.filters.fsevent.FsWatchSpec;
import io.kqueue4j.filters.fsevent.StartupProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One descriptor per watched object: running out of them fails the start-up with {@code EMFILE} and
 * a message that says what to do, leaving nothing open; later, it is a drop marker. The descriptors
 * are real; only the limit is imposed, by an opener that answers {@code EMFILE} past a budget, as
 * {@code open(2)} does at {@code RLIMIT_NOFILE}.
 */
class DescriptorBudgetTest {
  @TempDir Path dir;

  @BeforeAll
  static void needsVnodeDescriptors() {
    Throwable why = new VnodeFsEventSource(KQueue::emulated).unavailabilityCause();
    Assumptions.assumeTrue(why == null, () -> "EVFILT_VNODE cannot watch a directory with the "
        + "descriptors of FileDescriptors (support \"" + FileDescriptors.support()
        + "\"; module native-linux is needed on the test class path): " + why);
  }

  /** Real descriptors, at most {@code budget} open at once. */
  private static final class Budget implements ObjectOpener {
    final AtomicInteger open = new AtomicInteger();
    volatile int budget;

    Budget(int budget) {
      this.budget = budget;
    }

    @Override
    public int open(Path path, boolean follow) throws KQueueException {
      if (open.get() >= budget) {
        throw new KQueueException("open", Errno.EMFILE, path.toString());
      }
      int fd = ObjectOpener.FILE_DESCRIPTORS.open(path, follow);
      open.incrementAndGet();
      return fd;
    }

    @Override
    public void close(int fd) {
      ObjectOpener.FILE_DESCRIPTORS.close(fd);
      open.decrementAndGet();
    }
  }

  private static final class Recorder implements FsEventSink {
    final AtomicInteger dropped = new AtomicInteger();
    final AtomicInteger created = new AtomicInteger();

    @Override
    public boolean wants(FsEventType type) {
      return true;
    }

    @Override
    public boolean excludesDevice(long dev) {
      return false;
    }

    @Override
    public void event(FsEventType type, int root, String path, String destination, long dev,
        long ino, int mode, int uid, int gid, int flags) {
      if (type == FsEventType.CREATE_DIR) {
        created.incrementAndGet();
      }
    }

    @Override
    public void dropped() {
      dropped.incrementAndGet();
    }

    @Override
    public void rootGone(int root) {}

    @Override
    public void flush() {}
  }

  private static FsWatchSpec spec(Path root) {
    return new FsWatchSpec(List.of(root), Set.of(FsEventType.CREATE_DIR, FsEventType.DELETE),
        Set.of(), StartupProgress.NONE);
  }

  @Test
  void out_of_descriptors_at_start_fails_clearly_and_leaves_nothing_open() throws Exception {
    for (int i = 0; i < 5; i++) {
      Files.createDirectories(dir.resolve("d" + i));
    }
    Budget budget = new Budget(3);
    VnodeFsEventSource source = new VnodeFsEventSource(KQueue::emulated, kq -> budget);
    KQueueException e = assertThrows(KQueueException.class,
        () -> source.start(spec(dir), new Recorder()));
    assertEquals(Errno.EMFILE, e.errno());
    assertTrue(e.getMessage().contains("one open descriptor")
        && e.getMessage().contains("ulimit -n"), e.getMessage());
    assertEquals(0, budget.open.get(), "every descriptor is closed again");
  }

  @Test
  void out_of_descriptors_later_is_a_drop_marker() throws Exception {
    Budget budget = new Budget(1);
    VnodeFsEventSource source = new VnodeFsEventSource(KQueue::emulated, kq -> budget);
    Recorder sink = new Recorder();
    try (FsWatch watch = source.start(spec(dir), sink)) {
      assertEquals(1, watch.watchedDirectories());
      Files.createDirectory(dir.resolve("new"));
      Awaitility.await().until(() -> sink.dropped.get() > 0);
      assertEquals(1, sink.created.get(), "the directory is reported, its contents may be lost");
      assertEquals(1, watch.watchedDirectories());
    }
    assertEquals(0, budget.open.get());
  }
}
