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
 * {@link HashMap#remove} of the same keys ({@link #hashMap}). Each side's input is prepared in
 * advance, so that both measure the table and not the input: the changelists are filled once, as
 * the peer's keys are boxed once. Both tables are reused across invocations. Scores are per key:
 * one add plus one delete.
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
  private final KEventBuffer[] adds = changelists(EV_ADD | EV_CLEAR);
  private final KEventBuffer[] deletes = changelists(EV_DELETE);
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

  /** The {@value #KNOTES} changes with {@code flags}, in changelists of {@value #BATCH}. */
  private static KEventBuffer[] changelists(int flags) {
    KEventBuffer[] lists = new KEventBuffer[KNOTES / BATCH];
    for (int b = 0; b < lists.length; b++) {
      lists[b] = new KEventBuffer(BATCH);
      for (int i = b * BATCH; i < (b + 1) * BATCH; i++) {
        lists[b].add(i, EVFILT_USER, flags, 0, 0, null);
      }
    }
    return lists;
  }

  @Benchmark
  public int kqueue() throws KQueueException {
    int n = 0;
    for (KEventBuffer changes : adds) {
      n += kq.kevent(changes, null, 0);
    }
    for (KEventBuffer changes : deletes) {
      n += kq.kevent(changes, null, 0);
    }
    return n;
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
