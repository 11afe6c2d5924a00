package io.kqueue4j.benchmarks;

import static io.kqueue4j.KEvent.EVFILT_TIMER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.NOTE_USECONDS;

import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Many periodic timers at once: {@code EVFILT_TIMER} on an emulated {@link KQueue} beside {@link
 * ScheduledThreadPoolExecutor} doing the same, each side in a fresh JVM of its own, one after the
 * other, in one run.
 *
 * <ul>
 *   <li>{@code kqueue}: {@code timers} {@code EV_ADD} timers of the period (in {@code
 *       NOTE_USECONDS}, registered in changelists of 64), one thread collecting them with {@code
 *       kevent} into a {@link KEventBuffer} of 4096;
 *   <li>{@code stpe}: the same number of {@code scheduleAtFixedRate} tasks on an executor of one
 *       thread, each task counting its own runs.
 * </ul>
 *
 * <p>Figures, over the window of {@code seconds} that follows a warm-up of {@code warmup} seconds
 * during which the timers already run and their expirations are collected (JIT compilation and
 * the first expirations of timers scheduled in a burst stay out of the figures):
 *
 * <ul>
 *   <li>CPU time of the whole process ({@code OperatingSystemMXBean.getProcessCpuTime}: timer and
 *       collecting threads, JIT, GC), and of its busiest threads; also per expiration accounted,
 *       which still compares the two when a side cannot keep up and its CPU time is then only what
 *       the machine could give it;
 *   <li>expirations accounted: per timer, the expirations reported ({@code kqueue}: the sum of
 *       {@code data} over its deliveries; {@code stpe}: its runs), capped at those due by the end
 *       of the window ({@code floor((end - start) / period)}), less those reported before it,
 *       summed and divided by the sum of those due by its end less those reported before it.
 *       Deliveries are collected for five more periods after the window, so that an expiration
 *       due just before its end still counts if it is reported promptly;
 *   <li>lateness of each delivery: the time the collecting thread (or the task) ran, less the due
 *       time of the latest expiration it accounts for ({@code start + k * period}, k the number
 *       reported so far). A timer's start is read before the call that schedules it (after a first
 *       call that loads and starts everything), so lateness is overstated by up to the time of that
 *       call; a call that takes over 200 µs (a garbage collection or a compilation paused it) is
 *       made again, which restarts its timers, so that no timer carries a pause in every lateness
 *       it reports. Percentiles from a histogram of 10 µs buckets;
 *   <li>printed beside them, how unevenly the timers' first deadlines fill the period (the densest
 *       slice over the mean), which sets the load the collector must keep up with at its peak.
 * </ul>
 *
 * <p>Usage: {@code TimerLoad [--timers 100000] [--period-ms 10] [--seconds 10] [--warmup 2]};
 * {@code --side
 * kqueue|stpe} runs one side in this JVM. Prints each side's figures, the ratios, and for {@link
 * Compare} lines {@code RESULT timer.<side>.<figure> <value>} with figures {@code cpu} (ms), {@code
 * cpuPerExpiration} (ns), {@code p50} and {@code p99} (µs) and {@code unaccounted} (% of the
 * expirations due).
 */
public final class TimerLoad {
  private static final long BUCKET_NANOS = 10_000;
  private static final int BUCKETS = 100_000; // 1 s; later deliveries go to the last bucket
  private static final int CHANGES = 64;
  private static final int GRACE_PERIODS = 5;
  /** The most a timer's start may precede its scheduling: see {@link #slowStart}. */
  private static final long START_BOUND_NANOS = 200_000;

  private final int timers;
  private final long period;
  private final long window;
  private final long warmup;
  private final long[] start;
  private final long[] reported;
  private final long[] histogram = new long[BUCKETS];
  private long deliveries;
  /** Schedulings repeated because they took too long; see {@link #slowStart}. */
  private int restarts;
  /** Set when the window starts: deliveries of the warm-up are counted but not measured. */
  private volatile boolean measuring;
  /** Each timer's expirations reported before the window, read as the window starts. */
  private final long[] reportedBefore;

  private TimerLoad(int timers, long periodNanos, long windowNanos, long warmupNanos) {
    this.timers = timers;
    this.period = periodNanos;
    this.window = windowNanos;
    this.warmup = warmupNanos;
    this.start = new long[timers];
    this.reported = new long[timers];
    this.reportedBefore = new long[timers];
  }

  public static void main(String[] args) throws Exception {
    int timers = 100_000;
    long periodMs = 10;
    double seconds = 10;
    double warmup = 2;
    String side = null;
    for (int i = 0; i < args.length; i += 2) {
      String value = args[i + 1];
      switch (args[i]) {
        case "--timers" -> timers = Integer.parseInt(value);
        case "--period-ms" -> periodMs = Long.parseLong(value);
        case "--seconds" -> seconds = Double.parseDouble(value);
        case "--warmup" -> warmup = Double.parseDouble(value);
        case "--side" -> side = value;
        default -> throw new IllegalArgumentException("usage: TimerLoad [--timers N]"
            + " [--period-ms P] [--seconds S] [--warmup S] [--side kqueue|stpe]; unknown option "
            + args[i]);
      }
    }
    if (side != null) {
      TimerLoad load = new TimerLoad(timers, TimeUnit.MILLISECONDS.toNanos(periodMs),
          (long) (seconds * 1e9), (long) (warmup * 1e9));
      switch (side) {
        case "kqueue" -> load.runKQueue();
        case "stpe" -> load.runExecutor();
        default -> throw new IllegalArgumentException("no side " + side + " (kqueue, stpe)");
      }
      return;
    }
    System.out.printf(Locale.ROOT, "%,d periodic %d ms timers for %.1f s; each side in a JVM of"
        + " its own; %d CPUs%n", timers, periodMs, seconds,
        Runtime.getRuntime().availableProcessors());
    List<String> common = List.of("--timers", Integer.toString(timers), "--period-ms",
        Long.toString(periodMs), "--seconds", Double.toString(seconds), "--warmup",
        Double.toString(warmup));
    Map<String, Double> kqueue = child("kqueue", common);
    Map<String, Double> stpe = child("stpe", common);
    System.out.printf(Locale.ROOT, "ratios kqueue/stpe: CPU %.2f, p50 lateness %.2f, p99"
        + " lateness %.2f%n", kqueue.get("cpu") / stpe.get("cpu"),
        kqueue.get("p50") / stpe.get("p50"), kqueue.get("p99") / stpe.get("p99"));
    System.out.printf(Locale.ROOT, "CPU per expiration accounted: kqueue %.0f ns, stpe %.0f ns,"
        + " ratio %.2f%n", kqueue.get("cpuPerExpiration"), stpe.get("cpuPerExpiration"),
        kqueue.get("cpuPerExpiration") / stpe.get("cpuPerExpiration"));
    for (String name : List.of("cpu", "cpuPerExpiration", "p50", "p99", "unaccounted")) {
      System.out.printf(Locale.ROOT, "RESULT timer.kqueue.%s %.4f%n", name, kqueue.get(name));
      System.out.printf(Locale.ROOT, "RESULT timer.stpe.%s %.4f%n", name, stpe.get(name));
    }
  }

  /** Runs one side in a fresh JVM; echoes its report and returns its figures. */
  private static Map<String, Double> child(String side, List<String> common)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g"));
    String extra = System.getProperty("timerload.jvmArgs", "").trim();
    if (!extra.isEmpty()) {
      command.addAll(Arrays.asList(extra.replace("{side}", side).split("\\s+")));
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        TimerLoad.class.getName(), "--side", side));
    command.addAll(common);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    Map<String, Double> figures = new HashMap<>();
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        String[] f = line.split(" ");
        if (f.length == 3 && f[0].equals("FIGURE")) {
          figures.put(f[1], Double.parseDouble(f[2]));
        } else {
          System.out.println(line);
        }
      }
    }
    if (p.waitFor() != 0) {
      throw new IllegalStateException("TimerLoad --side " + side + " exited with " + p.exitValue());
    }
    return figures;
  }

  // ---------------------------------------------------------------- kqueue

  private void runKQueue() throws KQueueException {
    long periodMicros = TimeUnit.NANOSECONDS.toMicros(period);
    try (KQueue kq = KQueue.emulated()) {
      KEventBuffer changes = new KEventBuffer(CHANGES);
      // the first call loads the filters and starts the timer thread: not in any timer's start
      changes.add(-1, EVFILT_TIMER, EV_ADD, 0, TimeUnit.HOURS.toMillis(1), null);
      changes.add(-1, EVFILT_TIMER, EV_DELETE, 0, 0, null);
      kq.kevent(changes, null, 0);
      for (int i = 0; i < timers; i += CHANGES) {
        changes.clear();
        int end = Math.min(timers, i + CHANGES);
        for (int t = i; t < end; t++) {
          changes.add(t, EVFILT_TIMER, EV_ADD, NOTE_USECONDS, periodMicros, null);
        }
        long before;
        do { // EV_ADD of a timer that exists restarts it
          before = System.nanoTime();
          kq.kevent(changes, null, 0);
        } while (slowStart(before));
        Arrays.fill(start, i, end, before);
      }
      KEventBuffer events = new KEventBuffer(4096);
      long timeout = TimeUnit.MILLISECONDS.toNanos(1);
      long warmedUp = System.nanoTime() + warmup;
      Window w = null;
      long stop = Long.MAX_VALUE;
      while (true) {
        int n = kq.kevent(null, events, timeout);
        long now = System.nanoTime();
        if (w == null && now >= warmedUp) {
          w = new Window();
          stop = w.startNanos + window + GRACE_PERIODS * period;
        }
        if (w != null && now >= w.startNanos + window) {
          w.end();
        }
        if (now >= stop) {
          break;
        }
        for (int i = 0; i < n; i++) {
          account((int) events.ident(i), events.data(i), now);
        }
      }
      report("kqueue", w);
    }
  }

  // ---------------------------------------------------------------- ScheduledThreadPoolExecutor

  private void runExecutor() throws InterruptedException, ExecutionException {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1);
    try {
      executor.schedule(() -> { }, 0, TimeUnit.NANOSECONDS).get(); // the pool's thread runs
      for (int i = 0; i < timers; i++) {
        int timer = i;
        while (true) {
          long before = System.nanoTime();
          ScheduledFuture<?> task = executor.scheduleAtFixedRate(
              () -> account(timer, 1, System.nanoTime()), period, period, TimeUnit.NANOSECONDS);
          if (!slowStart(before)) {
            start[i] = before;
            break;
          }
          task.cancel(false);
        }
      }
      Thread.sleep(TimeUnit.NANOSECONDS.toMillis(warmup));
      Window w = new Window();
      Thread.sleep(TimeUnit.NANOSECONDS.toMillis(window));
      w.end();
      Thread.sleep(TimeUnit.NANOSECONDS.toMillis(GRACE_PERIODS * period));
      executor.shutdownNow();
      executor.awaitTermination(1, TimeUnit.MINUTES); // the counts are read after the thread ends
      report("stpe", w);
    } finally {
      executor.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- figures

  /**
   * Whether the call that scheduled timers and began at {@code before} took longer than {@link
   * #START_BOUND_NANOS}, so that their starts, read before it, are too uncertain: a garbage
   * collection or a compilation inside it would add its pause to every lateness of those timers.
   * The caller schedules them again (counted in {@link #restarts}).
   */
  private boolean slowStart(long before) {
    boolean slow = System.nanoTime() - before > START_BOUND_NANOS;
    if (slow) {
      restarts++;
    }
    return slow;
  }

  /** {@code count} more expirations of {@code timer} reported at {@code now}; one thread only. */
  private void account(int timer, long count, long now) {
    long k = reported[timer] += count;
    if (measuring) {
      long late = now - (start[timer] + k * period);
      histogram[(int) Math.min(BUCKETS - 1, Math.max(0, late) / BUCKET_NANOS)]++;
      deliveries++;
    }
  }

  /**
   * The measured window: its times and the CPU time spent in it, in total and per thread. Opening
   * it snapshots the reported counts (racily for the executor's thread, which may be one delivery
   * ahead or behind: a few in a million) and starts the lateness histogram.
   */
  private final class Window {
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    final long startNanos;
    final long startCpu;
    final Map<Long, Long> startThreadCpu = new HashMap<>();
    long endNanos = -1;
    long cpu;
    final Map<String, Long> threadCpu = new HashMap<>();

    Window() {
      for (long id : threads.getAllThreadIds()) {
        startThreadCpu.put(id, threads.getThreadCpuTime(id));
      }
      startCpu = processCpu();
      startNanos = System.nanoTime();
      System.arraycopy(reported, 0, reportedBefore, 0, timers);
      measuring = true;
    }

    void end() {
      if (endNanos >= 0) {
        return;
      }
      endNanos = System.nanoTime();
      cpu = processCpu() - startCpu;
      for (long id : threads.getAllThreadIds()) {
        ThreadInfo info = threads.getThreadInfo(id);
        long now = threads.getThreadCpuTime(id);
        if (info != null && now >= 0) {
          threadCpu.merge(info.getThreadName(), now - startThreadCpu.getOrDefault(id, 0L),
              Long::sum);
        }
      }
    }

    private static long processCpu() {
      return ((com.sun.management.OperatingSystemMXBean)
          ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
  }

  private void report(String side, Window w) {
    long due = 0;
    long accounted = 0;
    for (int t = 0; t < timers; t++) {
      long d = Math.max(0, (w.endNanos - start[t]) / period);
      due += d - reportedBefore[t];
      accounted += Math.min(d, reported[t]) - reportedBefore[t];
    }
    double unaccounted = due == 0 ? 0 : 100.0 * (due - accounted) / due;
    double seconds = (w.endNanos - w.startNanos) / 1e9;
    double cpuMs = w.cpu / 1e6;
    double p50 = percentile(50) / 1e3;
    double p99 = percentile(99) / 1e3;
    System.out.printf(Locale.ROOT, "%-6s CPU %,.0f ms in %.2f s (%.0f%% of a CPU); expirations"
            + " due %,d, accounted %,d (%.3f%% not); %,d deliveries; lateness p50 %.0f µs, p90"
            + " %.0f µs, p99 %.0f µs, p99.9 %.0f µs, max >= %.0f µs%n", side, cpuMs, seconds,
        100 * cpuMs / 1e3 / seconds, due, accounted, unaccounted, deliveries, p50,
        percentile(90) / 1e3, p99, percentile(99.9) / 1e3, percentile(100) / 1e3);
    System.out.printf(Locale.ROOT, "%-6s   timers scheduled over %.0f ms (%d calls repeated for"
            + " taking over %d µs); the densest 0.1 ms of the period holds %.2fx the mean of its"
            + " timers, the densest 1 ms %.2fx%n", side, (start[timers - 1] - start[0]) / 1e6,
        restarts, START_BOUND_NANOS / 1000, phasePeak(100), phasePeak(10));
    w.threadCpu.entrySet().stream()
        .filter(e -> e.getValue() > w.cpu / 50)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> System.out.printf(Locale.ROOT, "%-6s   thread %-28s %,8.0f ms%n", side,
            e.getKey(), e.getValue() / 1e6));
    System.out.printf(Locale.ROOT, "FIGURE cpu %.4f%n", cpuMs);
    System.out.printf(Locale.ROOT, "FIGURE cpuPerExpiration %.4f%n",
        accounted == 0 ? Double.NaN : w.cpu / (double) accounted);
    System.out.printf(Locale.ROOT, "FIGURE p50 %.4f%n", p50);
    System.out.printf(Locale.ROOT, "FIGURE p99 %.4f%n", p99);
    System.out.printf(Locale.ROOT, "FIGURE unaccounted %.4f%n", unaccounted);
  }

  /**
   * How unevenly the timers' phases fill the period: the most timers whose first deadline falls in
   * one of {@code slices} equal slices of the period, over the mean per slice. Timers scheduled in
   * a burst (JIT compilation and garbage collection pause the scheduling loop) crowd some slices,
   * and a collector has to keep up with the crowded ones, not with the mean.
   */
  private double phasePeak(int slices) {
    int[] counts = new int[slices];
    for (int t = 0; t < timers; t++) {
      counts[(int) (Math.floorMod(start[t], period) * slices / period)]++;
    }
    return Arrays.stream(counts).max().orElse(0) * (double) slices / timers;
  }

  /** The lateness in nanoseconds at {@code percent}, to the upper edge of its bucket. */
  private long percentile(double percent) {
    long rank = (long) Math.ceil(percent / 100 * deliveries);
    long seen = 0;
    for (int b = 0; b < BUCKETS; b++) {
      seen += histogram[b];
      if (seen >= rank && seen > 0) {
        return (b + 1) * BUCKET_NANOS;
      }
    }
    return 0;
  }
}
