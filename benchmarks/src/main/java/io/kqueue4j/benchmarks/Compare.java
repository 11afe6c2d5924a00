package io.kqueue4j.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.DoubleStream;
import java.util.stream.IntStream;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs targets 1 to 8 of issue 9 and prints each kqueue4j figure beside its peer
 * measured in the same run: both values with their spread (min..max of the per-fork figures), the
 * ratio with its range, the requirement, and PASS or MISS judged on the medians over forks.
 *
 * <p>Forks run one at a time, the benchmarks of a target taking turns (fork 1 of each, then fork 2
 * of each, ...), so fork i of ours and of its peer ran close together and the ratio's range is that
 * of the per-fork ratios. Targets 1, 3 and 4 run through the JMH {@link Runner}; targets 2, 5, 6, 7
 * and 8 run {@link WakeupLatency}, {@link TimerLoad}, {@link KNoteMemory}, {@link VnodeLatency} and
 * {@link EchoThroughput}, which measure ours and the peers in one run (TimerLoad in a fresh JVM per
 * side).
 * Before each fork the harness waits up to a minute for the machine to be quiet (other processes
 * using under 10% of the CPUs, from {@code /proc/stat}) and counts the forks that ran on a busy
 * one. JMH collects garbage between iterations ({@code -gc true}), so the
 * long-lived structures of each benchmark and its peer are tenured alike: where G1 puts them
 * changes the cost of their reference stores by up to 2x from fork to fork otherwise.
 *
 * <p>Usage: {@code Compare [--smoke] [--forks N] [--targets 1,2,3,4,5,6,7,8] [--out results.csv]}.
 * The number of forks defaults to the system property {@code forks}, else 5. {@code --smoke} runs
 * one short iteration of everything in one fork without warm-up, for CI: its figures check that
 * the benchmarks run, not what they measure. {@code --out} writes one CSV row per comparison, with
 * the per-fork figures separated by {@code ;}.
 */
public final class Compare {

  /** A figure: its median over forks and each fork's value. */
  record Figure(String label, double value, double[] forks, String unit) {
    double min() {
      return Arrays.stream(forks).min().orElse(Double.NaN);
    }

    double max() {
      return Arrays.stream(forks).max().orElse(Double.NaN);
    }
  }

  /** A requirement on the ratio ours/peer, or on our figure alone ({@code absolute}). */
  record Check(String text, double limit, boolean strict, boolean absolute) {
    static Check ratioAtMost(double limit, String text) {
      return new Check(text, limit, false, false);
    }

    static Check ratioBelow(double limit, String text) {
      return new Check(text, limit, true, false);
    }

    static Check below(double limit, String text) {
      return new Check(text, limit, true, true);
    }
  }

  /** One comparison of issue 9; fork i of {@code ours} ran beside fork i of {@code peer}. */
  record Row(String target, Figure ours, Figure peer, Check check) {
    double ratio() {
      return ours.value / peer.value;
    }

    double bestRatio() {
      return forkRatios().min().orElse(Double.NaN);
    }

    double worstRatio() {
      return forkRatios().max().orElse(Double.NaN);
    }

    private DoubleStream forkRatios() {
      return IntStream.range(0, ours.forks.length)
          .mapToDouble(i -> ours.forks[i] / peer.forks[i]);
    }

    /** How far over the limit the median is: 1.4 means 40% over; at most 1 (or below 1) passes. */
    double overLimit() {
      return (check.absolute ? ours.value : ratio()) / check.limit;
    }

    boolean passes() {
      double x = overLimit();
      return check.strict ? x < 1 : x <= 1;
    }
  }

  private static final String NS = "ns/op";
  /** Rounds of forks that started while other processes kept the machine busy. */
  private static int busyForks;

  /** How long each benchmark runs. */
  record Settings(int forks, int warmups, int iterations, TimeValue time, boolean smoke) {}

  private Compare() {}

  public static void main(String[] args) throws Exception {
    int forks = Integer.getInteger("forks", 5);
    boolean smoke = false;
    Path out = null;
    Set<String> targets = new LinkedHashSet<>(List.of("1", "2", "3", "4", "5", "6", "7", "8"));
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--smoke" -> smoke = true;
        case "--forks" -> forks = Integer.parseInt(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--targets" -> targets = new LinkedHashSet<>(Arrays.asList(args[++i].split(",")));
        default -> throw new IllegalArgumentException("usage: Compare [--smoke] [--forks N]"
            + " [--targets 1,2,3,4,5,6,7,8] [--out results.csv]; unknown argument " + args[i]);
      }
    }
    Settings settings = smoke
        ? new Settings(1, 0, 1, TimeValue.milliseconds(200), true)
        : new Settings(forks, 4, 5, TimeValue.seconds(1), false);

    List<Row> rows = new ArrayList<>();
    for (String target : targets) {
      switch (target) {
        case "1" -> rows.addAll(userTrigger(settings));
        case "2" -> rows.addAll(wakeupLatency(settings));
        case "3" -> rows.addAll(scan(settings));
        case "4" -> rows.addAll(registration(settings));
        case "5" -> rows.addAll(timers(settings));
        case "6" -> rows.addAll(memory(settings));
        case "7" -> rows.addAll(vnodeLatency(settings));
        case "8" -> rows.addAll(echo(settings));
        default -> throw new IllegalArgumentException("no target " + target + " here (1 to 8)");
      }
    }
    print(rows, settings);
    if (out != null) {
      writeCsv(out, rows, settings);
      System.out.println("results written to " + out);
    }
  }

  // ---------------------------------------------------------------- the targets

  private static List<Row> userTrigger(Settings s) throws Exception {
    Map<String, List<Double>> r = run(UserTriggerBenchmark.class, s);
    Figure buffer = figure(r.get("kqueueBuffer"), "kevent trigger+collect (KEventBuffer)", NS);
    Figure array = figure(r.get("kqueueArray"), "kevent trigger+collect (KEvent[])", NS);
    Figure abq = figure(r.get("arrayBlockingQueue"), "ArrayBlockingQueue offer+poll", NS);
    Figure selector = figure(r.get("selectorWakeup"), "Selector wakeup+selectNow", NS);
    Check vsAbq = Check.ratioAtMost(3, "<= 3x peer");
    Check vsSelector = Check.ratioAtMost(0.2, ">= 5x faster (<= 0.2x)");
    return List.of(
        new Row("1", buffer, abq, vsAbq),
        new Row("1", buffer, selector, vsSelector),
        new Row("1", array, abq, vsAbq),
        new Row("1", array, selector, vsSelector));
  }

  /** Runs {@link WakeupLatency} once per fork; its mechanisms run interleaved in each. */
  private static List<Row> wakeupLatency(Settings s) throws IOException, InterruptedException {
    Map<String, List<Double>> r = runMain(WakeupLatency.class, s, true,
        s.smoke ? List.of("3", "200") : List.of());
    List<Row> rows = new ArrayList<>();
    for (String p : List.of("p50", "p99")) {
      String at = " " + p + " round trip";
      Figure kq = figure(r.get("kqueue." + p), "kevent wake-up" + at, "ns");
      rows.add(new Row("2", kq, figure(r.get("park." + p), "park/unpark" + at, "ns"),
          Check.ratioAtMost(1.5, "<= 1.5x peer")));
      rows.add(new Row("2", kq, figure(r.get("selector." + p), "Selector.wakeup" + at, "ns"),
          Check.ratioBelow(1, "< peer")));
    }
    return rows;
  }

  private static List<Row> scan(Settings s) throws Exception {
    Map<String, List<Double>> r = run(ScanBenchmark.class, s);
    return List.of(new Row("3",
        figure(r.get("poll:idle=1000000"), "poll 1 ready among 1000000 idle", NS),
        figure(r.get("poll:idle=10"), "poll 1 ready among 10 idle", NS),
        Check.ratioAtMost(2, "<= 2x peer")));
  }

  private static List<Row> registration(Settings s) throws Exception {
    Map<String, List<Double>> r = run(RegistrationBenchmark.class, s);
    return List.of(new Row("4",
        figure(r.get("kqueue"), "EV_ADD+EV_DELETE per knote (changelists of 1000)", NS),
        figure(r.get("hashMap"), "HashMap put+remove per key", NS),
        Check.ratioAtMost(3, "<= 3x peer")));
  }

  /** Runs {@link TimerLoad} once per fork: each side in a fresh JVM, one after the other. */
  private static List<Row> timers(Settings s) throws IOException, InterruptedException {
    List<String> size = s.smoke
        ? List.of("--timers", "1000", "--seconds", "1", "--warmup", "0.5")
        : List.of("--timers", "100000", "--seconds", "10");
    Map<String, List<Double>> r = runMain(TimerLoad.class, s, true, size);
    String load = s.smoke ? "1000 10 ms timers, 1 s" : "100000 10 ms timers, 10 s";
    return List.of(
        new Row("5", figure(r.get("timer.kqueue.cpu"), "EVFILT_TIMER CPU time, " + load, "ms"),
            figure(r.get("timer.stpe.cpu"), "ScheduledThreadPoolExecutor CPU time", "ms"),
            Check.ratioBelow(1, "< peer")),
        new Row("5", figure(r.get("timer.kqueue.cpuPerExpiration"),
            "EVFILT_TIMER CPU per expiration accounted", "ns"),
            figure(r.get("timer.stpe.cpuPerExpiration"), "ScheduledThreadPoolExecutor, per run",
                "ns"),
            Check.ratioBelow(1, "< peer")),
        new Row("5", figure(r.get("timer.kqueue.p99"), "EVFILT_TIMER p99 lateness", "us"),
            figure(r.get("timer.stpe.p99"), "ScheduledThreadPoolExecutor p99 lateness", "us"),
            Check.below(5000, "< 5 ms")),
        new Row("5", figure(r.get("timer.kqueue.unaccounted"),
            "EVFILT_TIMER expirations missing from data", "%"),
            figure(r.get("timer.stpe.unaccounted"), "ScheduledThreadPoolExecutor runs missing",
                "%"),
            Check.below(1, "< 1% (>= 99% accounted)")));
  }

  /** Runs {@link KNoteMemory} once per fork. */
  private static List<Row> memory(Settings s) throws IOException, InterruptedException {
    Map<String, List<Double>> r = runMain(KNoteMemory.class, s, false,
        List.of(s.smoke ? "100000" : "1000000"));
    Figure map = figure(r.get("hashmap"), "HashMap entry (Long key)", "B/entry");
    List<Row> rows = new ArrayList<>();
    rows.add(new Row("6", figure(r.get("user"), "retained heap per idle EVFILT_USER knote",
        "B/entry"), map, Check.below(160, "< 160 B")));
    if (r.containsKey("timer")) {
      rows.add(new Row("6", figure(r.get("timer"), "retained heap per EVFILT_TIMER knote",
          "B/entry"), map, Check.below(160, "< 160 B")));
    }
    return rows;
  }

  /** Runs {@link VnodeLatency} once per fork; its observers take turns in each. */
  private static List<Row> vnodeLatency(Settings s) throws IOException, InterruptedException {
    Map<String, List<Double>> r = runMain(VnodeLatency.class, s, true,
        s.smoke ? List.of("2", "50") : List.of("30", "500"));
    List<Row> rows = new ArrayList<>();
    for (String p : List.of("p50", "p99")) {
      rows.add(new Row("7",
          figure(r.get("vnode.kqueue." + p), "EVFILT_VNODE write-to-delivery " + p, "ns"),
          figure(r.get("vnode.inotify." + p), "raw inotify read loop " + p, "ns"),
          Check.ratioAtMost(1.3, "<= 1.3x peer")));
    }
    return rows;
  }

  /**
   * Runs {@link EchoThroughput} once per fork: two rounds, each server first in one. Throughput
   * becomes time per round trip, so that "within 10% of the peer's throughput, or better" is a
   * ratio of at most 1/0.9. The second row, the servers' CPU time per round trip, holds the same
   * bound and moves less when other processes compete for the CPUs.
   */
  private static List<Row> echo(Settings s) throws IOException, InterruptedException {
    Map<String, List<Double>> r = runMain(EchoThroughput.class, s, true, s.smoke
        ? List.of("--clients", "8", "--warmup", "0.2", "--seconds", "0.3", "--rounds", "1")
        : List.of("--warmup", "1", "--seconds", "3", "--rounds", "2"));
    return List.of(new Row("8",
        figure(perRoundTrip(r.get("echo.kqueue")), "EchoServer (kevent) ping-pong round trip",
            "ns/rt"),
        figure(perRoundTrip(r.get("echo.selector")), "SelectorEchoServer round trip", "ns/rt"),
        Check.ratioAtMost(1 / 0.9, "<= 1.11x (>= 0.9x throughput)")),
        new Row("8", figure(r.get("echo.kqueue.cpu"), "EchoServer thread + kqueue4j-epoll CPU/rt",
            "ns/rt"),
            figure(r.get("echo.selector.cpu"), "SelectorEchoServer thread CPU/rt", "ns/rt"),
            Check.ratioAtMost(1 / 0.9, "<= 1.11x (same bound)")));
  }

  private static List<Double> perRoundTrip(List<Double> perSecond) {
    return perSecond.stream().map(v -> 1e9 / v).collect(Collectors.toList());
  }

  /**
   * Runs {@code main} once per fork, each in a JVM of its own (on a quiet machine when {@code
   * timed}), and collects the values of its {@code RESULT <name> <value>} lines by name; echoes its
   * other lines.
   */
  private static Map<String, List<Double>> runMain(Class<?> main, Settings s, boolean timed,
      List<String> args) throws IOException, InterruptedException {
    Map<String, List<Double>> values = new HashMap<>();
    for (int fork = 1; fork <= s.forks; fork++) {
      if (timed) {
        awaitQuiet(s);
      }
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx4g",
          "-cp", System.getProperty("java.class.path"), main.getName()));
      command.addAll(args);
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          String[] f = line.split(" ");
          if (f.length == 3 && f[0].equals("RESULT")) {
            values.computeIfAbsent(f[1], k -> new ArrayList<>()).add(Double.parseDouble(f[2]));
          } else {
            System.out.println("# " + main.getSimpleName() + " fork " + fork + ": " + line);
          }
        }
      }
      if (p.waitFor() != 0) {
        throw new IllegalStateException(main.getSimpleName() + " exited with " + p.exitValue());
      }
    }
    return values;
  }

  // ---------------------------------------------------------------- JMH

  /**
   * Runs every benchmark of {@code benchmark} once per round, one fork each, for {@code s.forks}
   * rounds; returns each benchmark's per-fork scores by method name (plus {@code :param=value}).
   */
  private static Map<String, List<Double>> run(Class<?> benchmark, Settings s)
      throws RunnerException, IOException, InterruptedException {
    Options options = new OptionsBuilder()
        .include("^" + Pattern.quote(benchmark.getName() + "."))
        .forks(1)
        .warmupIterations(s.warmups)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(s.iterations)
        .measurementTime(s.time)
        .shouldDoGC(true)
        .shouldFailOnError(true)
        .verbosity(s.smoke ? VerboseMode.SILENT : VerboseMode.NORMAL)
        .build();
    Map<String, List<Double>> scores = new HashMap<>();
    for (int round = 0; round < s.forks; round++) {
      awaitQuiet(s);
      for (RunResult result : new Runner(options).run()) {
        var params = result.getParams();
        StringBuilder key = new StringBuilder(
            params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1));
        for (String name : params.getParamsKeys()) {
          key.append(':').append(name).append('=').append(params.getParam(name));
        }
        scores.computeIfAbsent(key.toString(), k -> new ArrayList<>())
            .add(result.getPrimaryResult().getScore());
      }
    }
    return scores;
  }

  /** Waits up to a minute for the machine to be quiet before a fork; counts it when it is not. */
  private static void awaitQuiet(Settings s) throws IOException, InterruptedException {
    if (s.smoke) {
      return;
    }
    for (int second = 0; second < 60; second++) {
      double busy = busyShare();
      if (busy < 0.10) {
        return;
      }
      if (second == 0) {
        System.out.printf(Locale.ROOT, "# other processes use %.0f%% of the CPUs: waiting%n",
            100 * busy);
      }
    }
    busyForks++;
    System.out.println("# still busy after a minute: running all the same");
  }

  /** The share of CPU time not idle over one second, from {@code /proc/stat}; 0 without it. */
  private static double busyShare() throws IOException, InterruptedException {
    Path stat = Path.of("/proc/stat");
    if (!Files.isReadable(stat)) {
      return 0;
    }
    long[] before = cpuTimes(stat);
    Thread.sleep(1000);
    long[] after = cpuTimes(stat);
    long total = after[0] - before[0];
    return total == 0 ? 0 : 1 - (double) (after[1] - before[1]) / total;
  }

  /** Total and idle (idle + iowait) jiffies of all CPUs, from the first line of /proc/stat. */
  private static long[] cpuTimes(Path stat) throws IOException {
    String[] f = Files.readAllLines(stat).get(0).trim().split("\\s+");
    long total = 0;
    for (int i = 1; i < f.length; i++) {
      total += Long.parseLong(f[i]);
    }
    return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
  }

  /**
   * A figure from one value per fork: their median, which a fork disturbed by other processes on
   * the machine does not move, and the values themselves for the spread.
   */
  private static Figure figure(List<Double> values, String label, String unit) {
    double[] forks = values.stream().mapToDouble(Double::doubleValue).toArray();
    double[] sorted = forks.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    return new Figure(label, median, forks, unit);
  }

  // ---------------------------------------------------------------- output

  private static void print(List<Row> rows, Settings s) {
    System.out.println();
    System.out.printf("kqueue4j beside its peers: %d fork(s) x %d iteration(s) of %s after %d"
        + " warm-up(s); value = median over forks [min..max]; ratio = of the medians [range of the"
        + " per-fork ratios]%n", s.forks, s.iterations, s.time, s.warmups);
    if (s.smoke) {
      System.out.println("SMOKE RUN: one short iteration; the figures are not measurements.");
    } else {
      System.out.println(busyForks == 0 ? "every fork started on a quiet machine"
          : busyForks + " round(s) of forks started while other processes kept the machine busy");
    }
    String format = "%-2s %-50s %-24s %-32s %-24s %-8s %-16s %-24s %s%n";
    System.out.printf(format, "#", "kqueue4j", "value [spread]", "peer", "value [spread]", "unit",
        "ratio [range]", "target", "verdict");
    for (Row row : rows) {
      String verdict = row.passes() ? "PASS"
          : String.format(Locale.ROOT, "MISS (%.2fx the limit)", row.overLimit());
      System.out.printf(format, row.target, row.ours.label, value(row.ours), row.peer.label,
          value(row.peer), row.ours.unit,
          String.format(Locale.ROOT, "%.2f [%.2f..%.2f]", row.ratio(), row.bestRatio(),
              row.worstRatio()),
          row.check.text, verdict + (s.smoke ? " (smoke)" : ""));
    }
  }

  private static String value(Figure f) {
    return String.format(Locale.ROOT, "%s [%s..%s]", num(f.value), num(f.min()), num(f.max()));
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.1f", v);
  }

  private static void writeCsv(Path out, List<Row> rows, Settings s) throws IOException {
    Path dir = out.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8))) {
      w.println("target,ours_label,ours,ours_min,ours_max,ours_forks,peer_label,peer,"
          + "peer_min,peer_max,peer_forks,unit,ratio,ratio_best,ratio_worst,"
          + "requirement,limit,absolute,pass,forks,smoke");
      for (Row row : rows) {
        w.println(String.join(",", row.target, quote(row.ours.label), csv(row.ours),
            quote(row.peer.label), csv(row.peer), quote(row.ours.unit), fmt(row.ratio()),
            fmt(row.bestRatio()), fmt(row.worstRatio()), quote(row.check.text),
            fmt(row.check.limit), Boolean.toString(row.check.absolute),
            Boolean.toString(row.passes()), Integer.toString(s.forks),
            Boolean.toString(s.smoke)));
      }
    }
  }

  private static String csv(Figure f) {
    return String.join(",", fmt(f.value), fmt(f.min()), fmt(f.max()),
        Arrays.stream(f.forks).mapToObj(Compare::fmt).collect(Collectors.joining(";")));
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
  }

  private static String quote(String s) {
    return '"' + s.replace("\"", "\"\"") + '"';
  }
}
