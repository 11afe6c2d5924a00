package io.kqueue4j.filters.timer;

import static io.kqueue4j.KEvent.EVFILT_TIMER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DISABLE;
import static io.kqueue4j.KEvent.EV_ENABLE;
import static io.kqueue4j.KEvent.EV_ERROR;
import static io.kqueue4j.KEvent.EV_FORCEONESHOT;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A timer re-added with invalid input stops and reports the error once, as an event with {@code
 * EV_ERROR} and the errno in {@code data}; {@code EV_FORCEONESHOT} before that event is read must
 * not replace the errno with the (zero) expiration count. Found by native-linux's {@code
 * AllFiltersFuzzTest} and its check of every {@code EV_ERROR} entry (seed 1 gave {@code EV_ERROR}
 * with {@code data} 0).
 */
class TimerErrorEventTest {
  private static final long IDENT = 9;
  private static final KEvent REPORTED_ERROR =
      KEvent.of(IDENT, EVFILT_TIMER, EV_ONESHOT | EV_CLEAR | EV_ERROR, 0, Errno.EINVAL, null);

  private static void change(KQueue kq, int flags, long data) throws KQueueException {
    kq.kevent(new KEvent[] {KEvent.of(IDENT, EVFILT_TIMER, flags, 0, data, null)}, null,
        Duration.ZERO);
  }

  private static KEvent[] scan(KQueue kq) throws KQueueException {
    KEvent[] out = new KEvent[4];
    return Arrays.copyOf(out, kq.kevent(null, out, Duration.ZERO));
  }

  @Test
  void forcedOneshotDeliversTheErrnoOfAFailedReAdd() throws Exception {
    try (KQueue kq = KQueue.emulated()) {
      change(kq, EV_ADD, 60_000);
      change(kq, EV_ADD, -1); // invalid: the timer stops, the error waits to be read
      change(kq, EV_FORCEONESHOT, 0);
      assertEquals(List.of(REPORTED_ERROR), List.of(scan(kq)));
      assertEquals(0, scan(kq).length, "reported once, and the oneshot knote is gone");
    }
  }

  @Test
  void errnoOfAFailedReAddWaitsThroughDisableAndForcedOneshot() throws Exception {
    try (KQueue kq = KQueue.emulated()) {
      change(kq, EV_ADD | EV_DISABLE, 60_000);
      change(kq, EV_ADD, -1);
      change(kq, EV_FORCEONESHOT, 0);
      assertEquals(0, scan(kq).length, "hidden while disabled");
      change(kq, EV_ENABLE, 0);
      assertEquals(List.of(REPORTED_ERROR), List.of(scan(kq)));
    }
  }
}
