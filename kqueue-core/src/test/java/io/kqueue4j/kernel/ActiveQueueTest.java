package io.kqueue4j.kernel;

import static io.kqueue4j.kernel.KNoteState.MARKER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ring behind {@code kq_head}: random inserts at the tail, removals from the head and from the
 * middle, markers, and knotes dropped and replaced by new ones (which take over the dropped ones'
 * ids), against a list; the order, the count without markers and each knote's membership must
 * match after every step, across growth and compaction of the ring.
 */
class ActiveQueueTest {

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4})
  void matchesAListThroughGrowthAndCompaction(long seed) {
    Random random = new Random(seed);
    ActiveQueue queue = new ActiveQueue();
    List<KNote> model = new ArrayList<>();
    Deque<KNote> free = new ArrayDeque<>();
    for (int i = 0; i < 400; i++) {
      KNote kn = new KNote(null, i, (short) -20, null, false);
      if (i % 10 == 0) {
        kn.status = MARKER;
      }
      free.add(kn);
    }
    long nextIdent = free.size();
    for (int step = 0; step < 20_000; step++) {
      if (random.nextInt(20) == 0 && !free.isEmpty()) {
        KNote dropped = free.poll(); // in no slot, as a knote is when it is dropped
        queue.forget(dropped);
        free.add(new KNote(null, nextIdent++, (short) -20, null, false));
      }
      int op = random.nextInt(10);
      // phases that fill the ring, then drain it, so that it grows and compacts
      boolean filling = (step / 2000) % 2 == 0;
      if (op < (filling ? 6 : 3) && !free.isEmpty()) {
        KNote kn = free.poll();
        queue.insertTail(kn);
        model.add(kn);
      } else if (op < 8 && !model.isEmpty()) {
        KNote kn = model.remove(random.nextInt(model.size()));
        queue.remove(kn);
        free.add(kn);
      } else if (!model.isEmpty()) {
        KNote head = model.remove(0);
        assertSame(head, queue.first());
        queue.unlink(head);
        if ((head.status & MARKER) == 0) {
          queue.uncount();
        }
        free.add(head);
      }
      List<KNote> seen = new ArrayList<>();
      queue.forEach(seen::add);
      assertEquals(model, seen, "order at step " + step);
      assertEquals(model.stream().filter(kn -> (kn.status & MARKER) == 0).count(), queue.count());
      assertSame(model.isEmpty() ? null : model.get(0), queue.first());
      for (KNote kn : model) {
        assertTrue(queue.isLinked(kn));
      }
      for (KNote kn : free) {
        assertFalse(queue.isLinked(kn));
      }
    }
    assertNull(model.isEmpty() ? queue.first() : null);
  }
}
