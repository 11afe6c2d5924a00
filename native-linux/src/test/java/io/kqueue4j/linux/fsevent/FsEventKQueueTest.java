package io.kqueue4j.linux.fsevent;

import static io.kqueue4j.KEvent.EVFILT_FSEVENT;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_EOF;
import static io.kqueue4j.KEvent.EV_ERROR;
import static io.kqueue4j.KEvent.NOTE_REVOKE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.fsevent.FsEvent;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatcher;
import io.kqueue4j.linux.Inotify;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** A watcher registered in a kqueue with EVFILT_FSEVENT. */
@EnabledOnOs(OS.LINUX)
class FsEventKQueueTest {
  @TempDir Path root;
  KQueue kq;
  FsWatcher watcher;
  final Object udata = new Object();

  @BeforeEach
  void setUp() throws IOException {
    assumeTrue(Inotify.isAvailable(), "inotify");
    kq = KQueue.emulated();
  }

  @AfterEach
  void tearDown() throws KQueueException {
    if (watcher != null) {
      watcher.close();
    }
    kq.close();
  }

  private void register(int flags) throws KQueueException {
    kq.kevent(new KEvent[] {KEvent.of(watcher.id(), EVFILT_FSEVENT, EV_ADD | flags, 0, 0, udata)},
        null, Duration.ZERO);
  }

  private KEvent[] wait(Duration timeout) throws KQueueException {
    KEvent[] out = new KEvent[4];
    return Arrays.copyOf(out, kq.kevent(null, out, timeout));
  }

  @Test
  void activeWhileRecordsAreQueuedWithDataTheCount() throws Exception {
    watcher = FsWatcher.builder().root(root).types(FsEventType.CREATE_FILE).build();
    register(0);
    assertEquals(0, wait(Duration.ZERO).length);
    for (int i = 0; i < 3; i++) {
      Files.writeString(root.resolve("f" + i), "x");
    }
    org.awaitility.Awaitility.await().atMost(FsEventRecorder.TIMEOUT)
        .until(() -> watcher.pending() == 3);
    KEvent[] ev = wait(Duration.ofSeconds(10));
    assertEquals(1, ev.length);
    assertEquals(watcher.id(), ev[0].ident());
    assertEquals(EVFILT_FSEVENT, ev[0].filter());
    assertEquals(3, ev[0].data());
    assertSame(udata, ev[0].udata());
    watcher.poll();
    assertEquals(2, wait(Duration.ZERO)[0].data(), "level-triggered, data re-read at delivery");
    watcher.poll();
    watcher.poll();
    assertEquals(0, wait(Duration.ZERO).length, "inactive once drained");
  }

  @Test
  void edgeTriggeredFiresAgainForNewRecords() throws Exception {
    watcher = FsWatcher.builder().root(root).types(FsEventType.CREATE_FILE).build();
    register(EV_CLEAR);
    Files.writeString(root.resolve("a"), "x");
    KEvent[] ev = wait(Duration.ofSeconds(10));
    assertEquals(1, ev.length);
    assertTrue(ev[0].data() >= 1);
    assertEquals(0, wait(Duration.ZERO).length, "EV_CLEAR: not again without news");
    Files.writeString(root.resolve("b"), "x");
    ev = wait(Duration.ofSeconds(10));
    assertEquals(1, ev.length);
    assertEquals(2, ev[0].data());
  }

  @Test
  void aDropMarkerAloneFiresTheKnote() throws Exception {
    watcher = FsWatcher.builder().root(root).types(FsEventType.CREATE_FILE).queueCapacity(1)
        .build();
    Files.writeString(root.resolve("a"), "x");
    Files.writeString(root.resolve("b"), "x");
    org.awaitility.Awaitility.await().atMost(FsEventRecorder.TIMEOUT)
        .until(() -> watcher.droppedEvents() == 1);
    assertEquals(FsEventType.CREATE_FILE, watcher.poll().type());
    register(0);
    KEvent[] ev = wait(Duration.ofSeconds(10));
    assertEquals(1, ev.length);
    assertEquals(1, ev[0].data(), "the marker counts as one record");
    FsEvent marker = watcher.poll();
    assertEquals(FsEventType.EVENTS_DROPPED, marker.type());
    assertEquals(1, marker.droppedCount());
  }

  @Test
  void removingTheRootDeliversNoteRevokeWithEof() throws Exception {
    Path dir = Files.createDirectory(root.resolve("w"));
    watcher = FsWatcher.builder().root(dir).build();
    register(EV_CLEAR);
    Files.delete(dir);
    KEvent eof = null;
    long deadline = System.nanoTime() + FsEventRecorder.TIMEOUT.toNanos();
    while (eof == null && System.nanoTime() < deadline) {
      for (KEvent e : wait(Duration.ofSeconds(1))) {
        if ((e.flags() & EV_EOF) != 0) {
          eof = e;
        }
      }
    }
    assertTrue(eof != null, "no EV_EOF");
    assertEquals(NOTE_REVOKE, eof.fflags() & NOTE_REVOKE);
    assertTrue(eof.data() >= 1, "the root's DELETE is still queued: " + eof);
    assertEquals(0, wait(Duration.ZERO).length, "oneshot: gone after delivery");
    FsEvent del = watcher.poll();
    assertEquals(FsEventType.DELETE, del.type());
    assertEquals(Path.of(""), del.path());
  }

  @Test
  void closingTheWatcherRevokes() throws Exception {
    watcher = FsWatcher.builder().root(root).build();
    register(0);
    watcher.close();
    KEvent[] ev = wait(Duration.ofSeconds(10));
    assertEquals(1, ev.length);
    assertEquals(EV_EOF, ev[0].flags() & EV_EOF);
    assertEquals(NOTE_REVOKE, ev[0].fflags());
    assertEquals(0, ev[0].data());
  }

  @Test
  void unknownWatcherIsEbadfAndFflagsEinval() throws Exception {
    KEvent[] out = new KEvent[2];
    int n = kq.kevent(new KEvent[] {
        KEvent.of(987654321L, EVFILT_FSEVENT, EV_ADD, 0, 0, null)}, out, Duration.ZERO);
    assertEquals(1, n);
    assertEquals(EV_ERROR, out[0].flags() & EV_ERROR);
    assertEquals(Errno.EBADF, out[0].data());
    watcher = FsWatcher.builder().root(root).build();
    n = kq.kevent(new KEvent[] {
        KEvent.of(watcher.id(), EVFILT_FSEVENT, EV_ADD, 1, 0, null)}, out, Duration.ZERO);
    assertEquals(1, n);
    assertEquals(Errno.EINVAL, out[0].data());
    watcher.close();
    n = kq.kevent(new KEvent[] {
        KEvent.of(watcher.id(), EVFILT_FSEVENT, EV_ADD, 0, 0, null)}, out, Duration.ZERO);
    assertEquals(Errno.EBADF, out[0].data(), "closed watcher");
  }

  @Test
  void concurrentReadersGetEagain() throws Exception {
    watcher = FsWatcher.builder().root(root).build();
    Thread reader = new Thread(() -> {
      try {
        watcher.read(Duration.ofSeconds(30));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    reader.start();
    org.awaitility.Awaitility.await().atMost(FsEventRecorder.TIMEOUT)
        .until(() -> reader.getState() == Thread.State.TIMED_WAITING);
    KQueueException e = org.junit.jupiter.api.Assertions.assertThrows(
        KQueueException.class, () -> watcher.poll());
    assertEquals(Errno.EAGAIN, e.errno());
    watcher.close();
    reader.join(10_000);
    assertTrue(!reader.isAlive(), "close wakes the blocked reader");
  }
}
