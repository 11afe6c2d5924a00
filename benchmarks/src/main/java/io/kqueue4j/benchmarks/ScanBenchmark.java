package io.kqueue4j.benchmarks;

import static io.kqueue4j.KEvent.EVFILT_USER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.NOTE_TRIGGER;

import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Target 3: the cost of a polling {@code kevent} that returns the one ready knote of a kqueue
 * holding {@link #idle} idle {@code EVFILT_USER} knotes besides it. The ready knote is
 * level-triggered (no {@code EV_CLEAR}) and stays triggered, so every call returns it; the peer is
 * the same call with 10 idle knotes, and the ratio of the two is the scan's dependence on idle
 * knotes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ScanBenchmark {
  @Param({"10", "1000000"})
  public int idle;

  private KQueue kq;
  private final KEventBuffer events = new KEventBuffer(16);

  @Setup
  public void setUp() throws KQueueException {
    kq = KQueue.emulated();
    KEventBuffer changes = new KEventBuffer(1000);
    for (int i = 1; i <= idle; i++) {
      changes.add(i, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, null);
      if (changes.size() == changes.capacity() || i == idle) {
        kq.kevent(changes, null, 0);
        changes.clear();
      }
    }
    kq.kevent(changes.add(0, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0, null), null, 0);
  }

  @TearDown
  public void tearDown() {
    kq.close();
  }

  @Benchmark
  public long poll() throws KQueueException {
    if (kq.kevent(null, events, 0) != 1) {
      throw new IllegalStateException("expected the one ready knote");
    }
    return events.ident(0);
  }
}
