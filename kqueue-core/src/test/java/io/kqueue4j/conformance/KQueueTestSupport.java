package io.kqueue4j.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The helpers of FreeBSD's {@code tests/sys/kqueue/libkqueue/common.h} over the public API, for
 * suites that run unchanged against every backend: subclasses say how to open a queue.
 */
public abstract class KQueueTestSupport {
  protected KQueue kq;

  /** Opens a queue of the backend under test. */
  protected abstract KQueue newQueue() throws KQueueException;

  @BeforeEach
  void openQueue() throws KQueueException {
    kq = newQueue();
  }

  @AfterEach
  void closeQueue() {
    kq.close();
  }

  /** {@code kevent_add}: applies one change; a failure throws. */
  protected void add(long ident, short filter, int flags, int fflags, long data, Object udata)
      throws KQueueException {
    kq.kevent(new KEvent[] {KEvent.of(ident, filter, flags, fflags, data, udata)}, null, Duration.ZERO);
  }

  /** Applies one change and returns its error entry (there must be one). */
  protected KEvent change(long ident, short filter, int flags, int fflags, long data, Object udata)
      throws KQueueException {
    KEvent[] out = new KEvent[1];
    int n = kq.kevent(new KEvent[] {KEvent.of(ident, filter, flags, fflags, data, udata)}, out,
        Duration.ZERO);
    assertEquals(1, n, "one entry for the change");
    return out[0];
  }

  /** Polls and returns every pending event (up to 64). */
  protected KEvent[] poll() throws KQueueException {
    return poll(kq);
  }

  protected static KEvent[] poll(KQueue queue) throws KQueueException {
    KEvent[] out = new KEvent[64];
    int n = queue.kevent(null, out, Duration.ZERO);
    return Arrays.copyOf(out, n);
  }

  /** {@code kevent_get}: waits up to 5 s for exactly one event. */
  protected KEvent get() throws KQueueException {
    return get(Duration.ofSeconds(5));
  }

  /** Waits up to {@code timeout} for exactly one event. */
  protected KEvent get(Duration timeout) throws KQueueException {
    KEvent[] out = new KEvent[1];
    int n = kq.kevent(null, out, timeout);
    assertEquals(1, n, "one event within " + timeout);
    return out[0];
  }

  /** {@code test_no_kevents}. */
  protected void assertNoEvents() throws KQueueException {
    KEvent[] events = poll();
    assertEquals(0, events.length, () -> "unexpected events " + Arrays.toString(events));
  }
}
