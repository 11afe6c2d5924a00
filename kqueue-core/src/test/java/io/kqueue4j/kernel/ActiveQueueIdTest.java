package io.kqueue4j.kernel;

import static io.kqueue4j.KEvent.EVFILT_USER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static io.kqueue4j.KEvent.NOTE_TRIGGER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueueException;
import org.junit.jupiter.api.Test;

/**
 * The active queue's ids ({@link KNote#queueId}) go back to the kqueue when knotes are dropped, by
 * {@code EV_DELETE} and by a oneshot delivery, so that its table of knotes by id keeps no dropped
 * knote alive and stays as large as the most knotes activated at once.
 */
class ActiveQueueIdTest {
  private static final int KNOTES = 100;

  @Test
  void droppedKnotesGiveTheirIdsBack() throws KQueueException {
    try (EmulatedKQueue kq = EmulatedKQueue.open()) {
      KEventBuffer changes = new KEventBuffer(KNOTES);
      KEventBuffer events = new KEventBuffer(KNOTES);
      for (int round = 0; round < 20; round++) {
        int flags = round % 2 == 0 ? EV_ADD | EV_CLEAR : EV_ADD | EV_ONESHOT;
        changes.clear();
        for (int i = 0; i < KNOTES; i++) {
          changes.add(round * KNOTES + i, EVFILT_USER, flags, NOTE_TRIGGER, 0, null);
        }
        kq.kevent(changes, null, 0);
        assertEquals(KNOTES, kq.kevent(null, events, 0), "round " + round);
        if (round % 2 == 0) { // oneshot knotes went with their delivery
          changes.clear();
          for (int i = 0; i < KNOTES; i++) {
            changes.add(round * KNOTES + i, EVFILT_USER, EV_DELETE, 0, 0, null);
          }
          kq.kevent(changes, null, 0);
        }
      }
      int markers = 1; // one scanning thread at a time here
      assertTrue(kq.queue.highestId() <= KNOTES + markers,
          "ids handed out: " + kq.queue.highestId() + " for " + KNOTES + " knotes at a time");
    }
  }
}
