package io.kqueue4j.filters.fsevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The bounded queue: exact capacity, the drop marker at the gap, coalescing. */
class FsEventQueueTest {
  static final Path ROOT = Path.of("/r");
  long now = 1_000_000_000L;

  FsEvent ev(FsEventType type, String path) {
    return new FsEvent(type, ROOT, Path.of(path), null, 0, 0, 0, 0, 0, 0, FsEvent.nextId(), now,
        0);
  }

  @Test
  void capacityIsExactAndTheMarkerCountsTheLoss() {
    FsEventQueue q = new FsEventQueue(3, 0); // not a power of two
    for (int i = 0; i < 10; i++) {
      q.offer(ev(FsEventType.CREATE_FILE, "f" + i));
    }
    assertEquals(4, q.pending(), "3 queued + 1 marker");
    assertEquals(7, q.droppedTotal());
    for (int i = 0; i < 3; i++) {
      assertEquals(Path.of("f" + i), q.poll().path());
    }
    FsEvent m = q.poll();
    assertEquals(FsEventType.EVENTS_DROPPED, m.type());
    assertEquals(7, m.droppedCount());
    assertEquals(0, q.pending());
    assertNull(q.poll());
  }

  @Test
  void theProducerPutsTheMarkerBeforeItsNextEvent() {
    FsEventQueue q = new FsEventQueue(2, 0);
    q.offer(ev(FsEventType.CREATE_FILE, "a"));
    q.offer(ev(FsEventType.CREATE_FILE, "b"));
    q.offer(ev(FsEventType.CREATE_FILE, "lost"));
    assertEquals(Path.of("a"), q.poll().path());
    assertEquals(Path.of("b"), q.poll().path());
    q.offer(ev(FsEventType.CREATE_FILE, "c"));
    assertEquals(FsEventType.EVENTS_DROPPED, q.poll().type());
    assertEquals(Path.of("c"), q.poll().path());
    assertNull(q.poll());
  }

  @Test
  void aMarkerWithoutRoomForTheEventKeepsCounting() {
    FsEventQueue q = new FsEventQueue(2, 0);
    q.offer(ev(FsEventType.CREATE_FILE, "a"));
    q.offer(ev(FsEventType.CREATE_FILE, "b"));
    q.offer(ev(FsEventType.CREATE_FILE, "x"));
    q.poll();
    q.offer(ev(FsEventType.CREATE_FILE, "y")); // the marker takes the free slot, y is lost
    assertEquals(3, q.pending());
    assertEquals(Path.of("b"), q.poll().path());
    assertEquals(1, q.poll().droppedCount());
    assertEquals(1, q.poll().droppedCount(), "y's loss, claimed by the reader");
    assertNull(q.poll());
  }

  @Test
  void sourceLossIsAMarkerToo() {
    FsEventQueue q = new FsEventQueue(8, 0);
    q.offer(ev(FsEventType.CREATE_FILE, "a"));
    q.sourceDropped();
    q.offer(ev(FsEventType.CREATE_FILE, "b"));
    assertEquals(Path.of("a"), q.poll().path());
    assertEquals(FsEventType.EVENTS_DROPPED, q.poll().type());
    assertEquals(Path.of("b"), q.poll().path());
  }

  @Test
  void coalescesIdenticalTailWhileUnreadInsideTheWindow() {
    FsEventQueue q = new FsEventQueue(16, 1_000_000_000L);
    FsEvent first = ev(FsEventType.CONTENT_MODIFIED, "f");
    assertTrue(q.offer(first));
    now += 500_000_000L;
    q.offer(ev(FsEventType.CONTENT_MODIFIED, "f"));
    assertEquals(1, q.pending());
    assertEquals(FsEvent.COMBINED, first.flags() & FsEvent.COMBINED);
    now += 600_000_000L; // 1.1 s after the kept event: the window is fixed, not sliding
    q.offer(ev(FsEventType.CONTENT_MODIFIED, "f"));
    assertEquals(2, q.pending());
    assertEquals(1, q.coalescedTotal());
  }

  @Test
  void doesNotCoalesceReadEventsOtherPathsTypesOrExemptTypes() {
    FsEventQueue q = new FsEventQueue(16, 1_000_000_000L);
    q.offer(ev(FsEventType.CONTENT_MODIFIED, "f"));
    assertSame(FsEventType.CONTENT_MODIFIED, q.poll().type());
    q.offer(ev(FsEventType.CONTENT_MODIFIED, "f")); // the first was read
    q.offer(ev(FsEventType.CONTENT_MODIFIED, "g"));
    q.offer(ev(FsEventType.STAT_CHANGED, "g"));
    q.offer(ev(FsEventType.CREATE_FILE, "h"));
    q.offer(ev(FsEventType.CREATE_FILE, "h"));
    q.offer(ev(FsEventType.CREATE_DIR, "d"));
    q.offer(ev(FsEventType.CREATE_DIR, "d"));
    q.offer(ev(FsEventType.CHOWN, "h"));
    q.offer(ev(FsEventType.CHOWN, "h"));
    q.offer(ev(FsEventType.CONTENT_MODIFIED, "f")); // f again, but not the tail
    assertEquals(10, q.pending());
    assertEquals(0, q.coalescedTotal());
  }

  @Test
  void aReadEventCannotBeCombinedAfterwards() {
    FsEvent e = ev(FsEventType.STAT_CHANGED, "f");
    e.consume();
    assertFalse(e.tryCombine());
    assertEquals(0, e.flags() & FsEvent.COMBINED);
  }

  @Test
  void zeroWindowNeverCoalesces() {
    FsEventQueue q = new FsEventQueue(16, 0);
    for (int i = 0; i < 5; i++) {
      q.offer(ev(FsEventType.CONTENT_MODIFIED, "f"));
    }
    assertEquals(5, q.pending());
  }

  @Test
  void badCapacity() {
    assertThrows(IllegalArgumentException.class, () -> new FsEventQueue(0, 0));
    assertThrows(IllegalArgumentException.class,
        () -> new FsEventQueue(FsEventQueue.MAX_CAPACITY + 1, 0));
  }

  @Test
  void typeCodesAreXnus() {
    assertEquals(0, FsEventType.CREATE_FILE.code());
    assertEquals(3, FsEventType.RENAME.code());
    assertEquals(7, FsEventType.CREATE_DIR.code());
    assertEquals(8, FsEventType.CHOWN.code());
    assertEquals(10, FsEventType.XATTR_REMOVED.code());
    assertEquals(14, FsEventType.CLONE.code());
    assertEquals(999, FsEventType.EVENTS_DROPPED.code());
    assertSame(FsEventType.CONTENT_MODIFIED, FsEventType.ofCode(4));
    assertFalse(FsEventType.all().contains(FsEventType.EVENTS_DROPPED));
  }
}
