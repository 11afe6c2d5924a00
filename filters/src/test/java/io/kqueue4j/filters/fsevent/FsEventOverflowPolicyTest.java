package io.kqueue4j.filters.fsevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** XNU's "falling behind" flush, exactly accounted, and choosing a source by name. */
class FsEventOverflowPolicyTest {
  static final Path ROOT = Path.of("/r");

  @TempDir Path root;
  FsWatcher w;

  @AfterEach
  void tearDown() {
    if (w != null) {
      w.close();
    }
  }

  static FsEvent ev(String path) {
    return new FsEvent(FsEventType.CREATE_FILE, ROOT, Path.of(path), null, 0, 0, 0, 0, 0, 0,
        FsEvent.nextId(), 0, 0);
  }

  static FsEventQueue flushing(int capacity) {
    return new FsEventQueue(capacity, 0, FsOverflowPolicy.FLUSH_WHEN_BEHIND);
  }

  @Test
  void flushesEverythingOncePastThreeQuarters() {
    FsEventQueue q = flushing(8); // threshold 6
    assertEquals(6, q.flushThreshold());
    for (int i = 0; i < 6; i++) {
      assertTrue(q.offer(ev("f" + i)));
    }
    assertEquals(6, q.pending());
    assertFalse(q.offer(ev("f6")), "the 7th event goes with the flush");
    assertEquals(1, q.pending(), "only the marker is left");
    assertEquals(7, q.droppedTotal());
    assertTrue(q.offer(ev("after")));
    FsEvent m = q.poll();
    assertEquals(FsEventType.EVENTS_DROPPED, m.type());
    assertEquals(7, m.droppedCount());
    assertEquals(Path.of("after"), q.poll().path());
    assertNull(q.poll());
  }

  @Test
  void aFlushedMarkerIsCarriedIntoTheNextOne() {
    FsEventQueue q = flushing(4); // threshold 3
    q.offer(ev("a"));
    q.sourceDropped(); // the OS lost one: a marker goes in before the next event
    q.offer(ev("b")); // a, marker(1), b
    assertEquals(3, q.pending());
    q.offer(ev("c")); // 4 > 3: flush a, marker(1), b, c
    assertEquals(1, q.pending());
    assertEquals(4, q.droppedTotal(), "three flushed events + the source's loss");
    FsEvent m = q.poll();
    assertEquals(4, m.droppedCount(), "a, b, c and the one the marker stood for");
    assertNull(q.poll());
  }

  @Test
  void everyEventIsReadOrCountedUnderAStream() {
    FsEventQueue q = flushing(16);
    long read = 0;
    long dropped = 0;
    int offered = 0;
    for (int round = 0; round < 200; round++) {
      int burst = round % 17 + 1;
      for (int i = 0; i < burst; i++, offered++) {
        q.offer(ev("f" + offered));
      }
      for (int i = 0; i < round % 5; i++) {
        FsEvent e = q.poll();
        if (e == null) {
          break;
        }
        if (e.type() == FsEventType.EVENTS_DROPPED) {
          dropped += e.droppedCount();
        } else {
          read++;
        }
      }
    }
    for (FsEvent e; (e = q.poll()) != null; ) {
      if (e.type() == FsEventType.EVENTS_DROPPED) {
        dropped += e.droppedCount();
      } else {
        read++;
      }
    }
    assertEquals(offered, read + dropped);
    assertEquals(dropped, q.droppedTotal());
    assertNotEquals(0, dropped);
  }

  @Test
  void aConcurrentReaderAndFlushingProducerAccountForEveryEvent() throws Exception {
    FsEventQueue q = flushing(64);
    int offered = 200_000;
    Thread producer = new Thread(() -> {
      for (int i = 0; i < offered; i++) {
        q.offer(ev("f"));
      }
    });
    long read = 0;
    long dropped = 0;
    producer.start();
    while (producer.isAlive() || q.pending() > 0) {
      FsEvent e = q.poll();
      if (e == null) {
        Thread.onSpinWait();
      } else if (e.type() == FsEventType.EVENTS_DROPPED) {
        dropped += e.droppedCount();
      } else {
        read++;
      }
    }
    producer.join();
    for (FsEvent e; (e = q.poll()) != null; ) {
      if (e.type() == FsEventType.EVENTS_DROPPED) {
        dropped += e.droppedCount();
      } else {
        read++;
      }
    }
    assertEquals(offered, read + dropped);
    assertEquals(dropped, q.droppedTotal());
  }

  @Test
  void capacityOneTailDrops() {
    FsEventQueue q = flushing(1);
    assertEquals(1, q.flushThreshold());
    assertTrue(q.offer(ev("a")));
    assertFalse(q.offer(ev("b")));
    assertEquals(Path.of("a"), q.poll().path());
    assertEquals(1, q.poll().droppedCount());
  }

  @Test
  void tailDropStaysTheDefault() throws IOException {
    w = FsWatcher.builder().root(root).source(ManualFsEventSource.NAME).build();
    assertEquals(FsOverflowPolicy.TAIL_DROP, w.overflowPolicy());
  }

  @Test
  void aWatcherWithATinyQueueFlushesAndCountsEveryEvent() throws IOException {
    w = FsWatcher.builder().root(root).source(ManualFsEventSource.NAME).queueCapacity(4)
        .coalescingWindow(java.time.Duration.ZERO)
        .overflowPolicy(FsOverflowPolicy.FLUSH_WHEN_BEHIND).build();
    assertEquals(FsOverflowPolicy.FLUSH_WHEN_BEHIND, w.overflowPolicy());
    FsEventSink sink = ManualFsEventSource.LAST.get();
    List<String> read = new ArrayList<>();
    AtomicLong dropped = new AtomicLong();
    // threshold 3: f0..f3 flushed at f3; then marker(4), f4, f5, f6 flushed at f6; then marker(7),
    // f7, f8, f9 flushed at f9: one marker for all ten
    for (int i = 0; i < 10; i++) {
      sink.event(FsEventType.CREATE_FILE, 0, "f" + i, null, 0, 0, 0, 0, 0, 0);
    }
    sink.flush();
    assertEquals(1, w.pending());
    for (int i = 10; i < 12; i++) {
      sink.event(FsEventType.CREATE_FILE, 0, "f" + i, null, 0, 0, 0, 0, 0, 0);
    }
    sink.flush();
    assertEquals(3, w.pending());
    w.drainTo(e -> {
      if (e.type() == FsEventType.EVENTS_DROPPED) {
        dropped.addAndGet(e.droppedCount());
        read.add("marker");
      } else {
        read.add(e.path().toString());
      }
    }, 100);
    assertEquals(List.of("marker", "f10", "f11"), read);
    assertEquals(10, dropped.get());
    assertEquals(10, w.droppedEvents());
  }

  @Test
  void anUnavailableSourceFailsTheBuildWithItsReason() {
    KQueueException e = assertThrows(KQueueException.class,
        () -> FsWatcher.builder().root(root).source(UnavailableFsEventSource.NAME).build());
    assertEquals(Errno.EPERM, e.errno());
    assertTrue(e.getMessage().contains("CAP_SYS_ADMIN"), e.getMessage());
    assertTrue(e.getMessage().contains(UnavailableFsEventSource.NAME), e.getMessage());
  }

  @Test
  void anUnknownSourceNamesThoseFound() {
    KQueueException e = assertThrows(KQueueException.class,
        () -> FsWatcher.builder().root(root).source("no-such-source").build());
    assertEquals(Errno.ENOENT, e.errno());
    assertTrue(e.getMessage().contains(ManualFsEventSource.NAME), e.getMessage());
  }

  @Test
  void anUnavailableSourceIsNeverTheActiveOne() {
    assertNotEquals(UnavailableFsEventSource.NAME, FsEventSources.activeName());
  }
}
