package io.kqueue4j.benchmarks;

import static io.kqueue4j.KEvent.EVFILT_USER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.NOTE_TRIGGER;

import io.kqueue4j.KEvent;
import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import java.io.IOException;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Target 1: one thread triggers an {@code EV_CLEAR} {@code EVFILT_USER} knote with one {@code
 * kevent} call and collects the event with a second, polling one. Measured in the allocation-free
 * {@link KEventBuffer} form ({@link #kqueueBuffer}) and the {@code KEvent[]} form ({@link
 * #kqueueArray}), beside its peers: an {@link ArrayBlockingQueue} offer then poll, and {@link
 * Selector#wakeup()} then {@link Selector#selectNow()}. Each operation is one full round trip.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class UserTriggerBenchmark {
  private static final Object TOKEN = new Object();

  private KQueue kq;
  private final KEventBuffer trigger = new KEventBuffer(1);
  private final KEventBuffer events = new KEventBuffer(1);
  private final KEvent[] triggerArray = {KEvent.of(1, EVFILT_USER, 0, NOTE_TRIGGER, 0, null)};
  private final KEvent[] eventArray = new KEvent[1];
  private final ArrayBlockingQueue<Object> queue = new ArrayBlockingQueue<>(16);
  private Selector selector;

  @Setup
  public void setUp() throws IOException {
    kq = KQueue.emulated();
    kq.kevent(new KEvent[] {KEvent.of(1, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, null)}, null,
        Duration.ZERO);
    trigger.add(1, EVFILT_USER, 0, NOTE_TRIGGER, 0, null);
    selector = Selector.open();
  }

  @TearDown
  public void tearDown() throws IOException {
    kq.close();
    selector.close();
  }

  @Benchmark
  public long kqueueBuffer() throws KQueueException {
    kq.kevent(trigger, null, 0);
    if (kq.kevent(null, events, 0) != 1) {
      throw new IllegalStateException("no event");
    }
    return events.data(0);
  }

  @Benchmark
  public KEvent kqueueArray() throws KQueueException {
    kq.kevent(triggerArray, null, Duration.ZERO);
    if (kq.kevent(null, eventArray, Duration.ZERO) != 1) {
      throw new IllegalStateException("no event");
    }
    return eventArray[0];
  }

  @Benchmark
  public Object arrayBlockingQueue() {
    queue.offer(TOKEN);
    return queue.poll();
  }

  @Benchmark
  public int selectorWakeup() throws IOException {
    selector.wakeup();
    return selector.selectNow();
  }
}
