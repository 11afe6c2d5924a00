package io.kqueue4j.filters.reliability;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.filters.fsevent.FsEvent;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatcher;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interrupts of the blocking reads of an {@link FsWatcher}: {@code read(Duration)} without and with
 * a timeout and {@code read(int, Duration)} end with {@link InterruptedIOException}, and the watcher
 * stays usable: the next read is not refused as concurrent ({@code EAGAIN}) and gets the next
 * record. An interrupt pending before a read does not hide a record already queued.
 */
class FsWatcherReadInterruptTest {
  @TempDir Path root;

  @FunctionalInterface
  interface Read {
    Object read(FsWatcher w) throws Exception;
  }

  private static Object readInThread(FsWatcher w, Read read) throws Exception {
    CompletableFuture<Object> result = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try {
        result.complete(read.read(w));
      } catch (Throwable e) {
        result.complete(e);
      }
    }, "fswatcher-reader");
    reader.setDaemon(true);
    reader.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> result.isDone()
        || reader.getState() == Thread.State.WAITING
        || reader.getState() == Thread.State.TIMED_WAITING);
    assertTrue(!result.isDone(), () -> "the read did not block: " + result.join());
    reader.interrupt();
    return result.get(10, TimeUnit.SECONDS);
  }

  private static FsEvent nextCreate(FsWatcher w, String name) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      FsEvent e = w.read(Duration.ofSeconds(1));
      if (e != null && e.type() == FsEventType.CREATE_FILE && e.path().equals(Path.of(name))) {
        return e;
      }
    }
    throw new AssertionError("no CREATE_FILE " + name);
  }

  @Test
  void every_blocking_read_ends_with_interrupted_io_exception_and_the_watcher_recovers()
      throws Exception {
    Read[] reads = {
      w -> w.read(null),
      w -> w.read(Duration.ofSeconds(60)),
      w -> w.read(8, null),
      w -> w.read(8, Duration.ofSeconds(60)),
    };
    try (FsWatcher w = FsWatcher.builder().root(root).build()) {
      for (int i = 0; i < reads.length; i++) {
        Object outcome = readInThread(w, reads[i]);
        assertTrue(outcome instanceof InterruptedIOException, "read " + i + ": " + outcome);
        assertNull(w.poll(), "read " + i + ": the watcher is free to read again");
        Files.createFile(root.resolve("f" + i));
        assertEquals(FsEventType.CREATE_FILE, nextCreate(w, "f" + i).type());
      }
    }
  }

  @Test
  void an_interrupt_pending_before_a_read_still_gets_a_queued_record() throws Exception {
    try (FsWatcher w = FsWatcher.builder().root(root).build()) {
      Files.writeString(root.resolve("queued"), "x");
      await().atMost(Duration.ofSeconds(20)).until(() -> w.pending() > 0);
      Thread.currentThread().interrupt();
      try {
        List<FsEvent> got = w.read(8, null);
        assertTrue(!got.isEmpty(), "the queued record is returned, not lost to the interrupt");
      } finally {
        Thread.interrupted();
      }
    }
  }
}
