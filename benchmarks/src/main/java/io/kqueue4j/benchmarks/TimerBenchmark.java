package io.kqueue4j.benchmarks;

import static io.kqueue4j.KEvent.EVFILT_TIMER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static io.kqueue4j.KEvent.NOTE_USECONDS;

import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code EVFILT_TIMER} on the emulated kernel beside {@link ScheduledThreadPoolExecutor}, in one
 * run, with {@code idle} far-off timers already scheduled in each:
 *
 * <ul>
 *   <li>{@code *Schedule}: scheduling cost, an add and a delete of a timer due in an hour (average
 *       time per pair);
 *   <li>{@code *Lateness}: a 500 µs one-time timer from scheduling to its delivery to the waiting
 *       thread (sample time); the delivery lateness is the reported time less 500 µs.
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar TimerBenchmark}.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TimerBenchmark {
  private static final long HOUR_MS = TimeUnit.HOURS.toMillis(1);
  private static final long DELAY_US = 500;

  /** Far-off timers already scheduled, as a loaded server would have. */
  @Param({"0", "100000"})
  public int idle;

  private KQueue kq;
  private KEventBuffer addDelete;
  private KEventBuffer oneshot;
  private KEventBuffer events;
  private ScheduledThreadPoolExecutor executor;
  private ScheduledFuture<?>[] idleTasks;
  private long ident;

  @Setup(Level.Trial)
  public void setUp() throws KQueueException {
    kq = KQueue.emulated();
    KEventBuffer changes = new KEventBuffer(1024);
    for (int i = 0; i < idle; i++) {
      changes.add(1_000_000L + i, EVFILT_TIMER, EV_ADD, 0, HOUR_MS + i, null);
      if (changes.size() == changes.capacity()) {
        kq.kevent(changes, null, 0);
        changes.clear();
      }
    }
    kq.kevent(changes, null, 0);
    addDelete = new KEventBuffer(2);
    oneshot = new KEventBuffer(1).add(1, EVFILT_TIMER, EV_ADD | EV_ONESHOT, NOTE_USECONDS, DELAY_US,
        null);
    events = new KEventBuffer(1);

    executor = new ScheduledThreadPoolExecutor(1);
    executor.setRemoveOnCancelPolicy(true);
    idleTasks = new ScheduledFuture<?>[idle];
    for (int i = 0; i < idle; i++) {
      idleTasks[i] = executor.schedule(() -> { }, HOUR_MS + i, TimeUnit.MILLISECONDS);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    kq.close();
    executor.shutdownNow();
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public int kqueueSchedule() throws KQueueException {
    long id = ident++;
    addDelete.clear();
    addDelete.add(id, EVFILT_TIMER, EV_ADD, 0, HOUR_MS, null);
    addDelete.add(id, EVFILT_TIMER, EV_DELETE, 0, 0, null);
    return kq.kevent(addDelete, null, 0);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public boolean executorSchedule() {
    return executor.schedule(TimerBenchmark::nothing, HOUR_MS, TimeUnit.MILLISECONDS).cancel(false);
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public long kqueueLateness() throws KQueueException {
    int n = kq.kevent(oneshot, events, -1);
    return n == 1 ? events.data(0) : -1;
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Object executorLateness() throws InterruptedException, ExecutionException {
    return executor.schedule(System::nanoTime, DELAY_US, TimeUnit.MICROSECONDS).get();
  }

  private static void nothing() {}
}
