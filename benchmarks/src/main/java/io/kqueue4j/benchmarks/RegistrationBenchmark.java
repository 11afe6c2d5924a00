package io.kqueue4j.benchmarks;

import static io.kqueue4j.KEvent.EVFILT_USER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;

import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Target 4: {@code EV_ADD} then {@code EV_DELETE} of {@value #KNOTES} {@code EVFILT_USER} knotes,
 * submitted in changelists of {@value #BATCH} ({@link #kqueue}), beside {@link HashMap#put} then
 * {@link HashMap#remove} of the same keys ({@link #hashMap}, keys boxed in advance). Both tables
 * are reused across invocations. Scores are per key: one add plus one delete.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(RegistrationBenchmark.KNOTES)
public class RegistrationBenchmark {
  static final int KNOTES = 100_000;
  static final int BATCH = 1_000;
  private static final Object VALUE = new Object();

  private KQueue kq;
  private final KEventBuffer changes = new KEventBuffer(BATCH);
  private final HashMap<Long, Object> map = new HashMap<>();
  private final Long[] keys = new Long[KNOTES];

  @Setup
  public void setUp() throws KQueueException {
    kq = KQueue.emulated();
    for (int i = 0; i < KNOTES; i++) {
      keys[i] = (long) i;
    }
  }

  @TearDown
  public void tearDown() {
    kq.close();
  }

  @Benchmark
  public int kqueue() throws KQueueException {
    submitAll(EV_ADD | EV_CLEAR);
    submitAll(EV_DELETE);
    return changes.size();
  }

  private void submitAll(int flags) throws KQueueException {
    for (int base = 0; base < KNOTES; base += BATCH) {
      changes.clear();
      for (int i = base; i < base + BATCH; i++) {
        changes.add(i, EVFILT_USER, flags, 0, 0, null);
      }
      kq.kevent(changes, null, 0);
    }
  }

  @Benchmark
  public int hashMap() {
    for (Long key : keys) {
      map.put(key, VALUE);
    }
    for (Long key : keys) {
      map.remove(key);
    }
    return map.size();
  }
}
