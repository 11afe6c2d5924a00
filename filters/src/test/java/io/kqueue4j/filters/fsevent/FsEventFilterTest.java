package io.kqueue4j.filters.fsevent;

import static io.kqueue4j.KEvent.EVFILT_FSEVENT;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.EV_EOF;
import static io.kqueue4j.KEvent.EV_ERROR;
import static io.kqueue4j.KEvent.NOTE_REVOKE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EVFILT_FSEVENT and the watcher's API over a source the test drives. */
class FsEventFilterTest {
  @TempDir Path root;
  KQueue kq;
  FsWatcher w;
  FsEventSink sink;

  @BeforeEach
  void setUp() throws IOException {
    kq = KQueue.emulated();
    w = FsWatcher.builder().root(root).source(ManualFsEventSource.NAME).queueCapacity(4)
        .coalescingWindow(Duration.ZERO).build();
    sink = ManualFsEventSource.LAST.get();
  }

  @AfterEach
  void tearDown() throws KQueueException {
    w.close();
    kq.close();
  }

  void emit(String path) {
    sink.event(FsEventType.CREATE_FILE, 0, path, null, 1, 2, 0100644, 3, 4, 0);
  }

  void add(int flags) throws KQueueException {
    kq.kevent(new KEvent[] {KEvent.of(w.id(), EVFILT_FSEVENT, EV_ADD | flags, 0, 0, null)}, null,
        Duration.ZERO);
  }

  KEvent[] scan() throws KQueueException {
    KEvent[] out = new KEvent[4];
    return Arrays.copyOf(out, kq.kevent(null, out, Duration.ZERO));
  }

  @Test
  void dataIsTheQueuedCountAndFollowsReads() throws Exception {
    add(0);
    assertEquals(0, scan().length);
    emit("a");
    emit("b");
    sink.flush();
    KEvent[] ev = scan();
    assertEquals(1, ev.length);
    assertEquals(2, ev[0].data());
    assertEquals(0, ev[0].fflags());
    assertEquals(Path.of("a"), w.poll().path());
    assertEquals(1, scan()[0].data());
    w.poll();
    assertEquals(0, scan().length);
  }

  @Test
  void recordFieldsComeFromTheSource() throws Exception {
    sink.event(FsEventType.RENAME, 0, "x/a", "y/b", 7, 8, 040755, 9, 10, FsEvent.IS_DIR);
    sink.flush();
    FsEvent e = w.poll();
    assertEquals(root.resolve("x/a"), e.absolutePath());
    assertEquals(root.resolve("y/b"), e.absoluteDestination());
    assertEquals(7, e.dev());
    assertEquals(8, e.ino());
    assertEquals(040755, e.mode());
    assertEquals(9, e.uid());
    assertEquals(10, e.gid());
    assertTrue(e.isDirectory());
    assertEquals(e.eventId(), w.currentEventId());
  }

  @Test
  void aPendingLossCountsAsOneRecordAndFires() throws Exception {
    add(EV_CLEAR);
    for (int i = 0; i < 6; i++) {
      emit("f" + i);
    }
    sink.flush();
    assertEquals(5, scan()[0].data());
    for (int i = 0; i < 4; i++) {
      w.poll();
    }
    sink.dropped();
    sink.flush();
    KEvent[] ev = scan();
    assertEquals(1, ev.length, "the loss alone activates an EV_CLEAR knote");
    assertEquals(1, ev[0].data());
    FsEvent m = w.poll();
    assertEquals(FsEventType.EVENTS_DROPPED, m.type());
    assertEquals(3, m.droppedCount(), "2 by the full queue + 1 by the source");
  }

  @Test
  void allRootsGoneRevokesWithDataStillReadable() throws Exception {
    add(EV_CLEAR);
    emit("a");
    sink.flush();
    assertEquals(1, scan()[0].data());
    sink.event(FsEventType.DELETE, 0, "", null, 0, 0, 0, 0, 0, FsEvent.IS_DIR);
    sink.flush();
    sink.rootGone(0);
    assertTrue(w.isRevoked());
    KEvent[] ev = scan();
    assertEquals(1, ev.length);
    assertEquals(EV_EOF, ev[0].flags() & EV_EOF);
    assertEquals(NOTE_REVOKE, ev[0].fflags());
    assertEquals(2, ev[0].data());
    assertEquals(0, scan().length, "delivered once");
    assertEquals(Path.of("a"), w.poll().path());
    assertEquals(Path.of(""), w.read(Duration.ofSeconds(1)).path());
    assertNull(w.read(null), "revoked and empty: no wait");
    // a knote added after the revoke reports it at once
    add(0);
    ev = scan();
    assertEquals(1, ev.length);
    assertEquals(EV_EOF, ev[0].flags() & EV_EOF);
  }

  @Test
  void closeRevokesStopsTheSourceAndForgetsTheId() throws Exception {
    add(0);
    emit("a");
    sink.flush();
    w.close();
    assertTrue(ManualFsEventSource.CLOSED.get());
    KEvent[] ev = scan();
    assertEquals(1, ev.length);
    assertEquals(EV_EOF, ev[0].flags() & EV_EOF);
    assertEquals(0, ev[0].data(), "queued records are discarded on close");
    assertNull(w.poll());
    assertNull(FsWatcher.byId(w.id()));
    KEvent[] out = new KEvent[1];
    kq.kevent(new KEvent[] {KEvent.of(w.id(), EVFILT_FSEVENT, EV_ADD, 0, 0, null)}, out,
        Duration.ZERO);
    assertEquals(EV_ERROR, out[0].flags() & EV_ERROR);
    assertEquals(Errno.EBADF, out[0].data());
  }

  @Test
  void deleteDetaches() throws Exception {
    add(0);
    kq.kevent(new KEvent[] {KEvent.of(w.id(), EVFILT_FSEVENT, EV_DELETE, 0, 0, null)}, null,
        Duration.ZERO);
    emit("a");
    sink.flush();
    assertEquals(0, scan().length);
  }

  @Test
  void typesAndDevicesAreFilteredByTheSink() throws Exception {
    w.close();
    w = FsWatcher.builder().root(root).source(ManualFsEventSource.NAME)
        .types(FsEventType.DELETE).excludeDevice(99).build();
    sink = ManualFsEventSource.LAST.get();
    emit("created");
    sink.event(FsEventType.DELETE, 0, "on99", null, 99, 0, 0, 0, 0, 0);
    sink.event(FsEventType.DELETE, 0, "kept", null, 1, 0, 0, 0, 0, 0);
    sink.flush();
    assertEquals(Path.of("kept"), w.poll().path());
    assertNull(w.poll());
  }

  @Test
  void blockingReadWakesOnEvents() throws Exception {
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      }
      emit("late");
      sink.flush();
    });
    t.start();
    List<FsEvent> got = w.read(10, Duration.ofSeconds(10));
    assertEquals(Path.of("late"), got.get(0).path());
    t.join();
    assertTrue(w.read(10, Duration.ofMillis(10)).isEmpty());
  }

  @Test
  void builderChecks() throws IOException {
    Path file = Files.writeString(root.resolve("file"), "x");
    assertThrows(NotDirectoryException.class,
        () -> FsWatcher.builder().root(file).source(ManualFsEventSource.NAME).build());
    assertThrows(NoSuchFileException.class,
        () -> FsWatcher.builder().root(root.resolve("nope")).source(ManualFsEventSource.NAME)
            .build());
    assertThrows(IllegalStateException.class, () -> FsWatcher.builder().build());
    assertThrows(IllegalArgumentException.class, () -> FsWatcher.builder().queueCapacity(0));
    assertThrows(IllegalArgumentException.class,
        () -> FsWatcher.builder().coalescingWindow(Duration.ofSeconds(-1)));
    KQueueException unknown = assertThrows(KQueueException.class,
        () -> FsWatcher.builder().source("nope").root(root).build());
    assertEquals(Errno.ENOENT, unknown.errno());
    assertEquals(4096, FsWatcher.Builder.DEFAULT_QUEUE_CAPACITY);
    assertEquals(Duration.ofSeconds(1), FsWatcher.Builder.DEFAULT_COALESCING_WINDOW);
  }
}
