package io.kqueue4j.benchmarks;

import static io.kqueue4j.KEvent.EVFILT_FSEVENT;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.fsevent.FsEventSources;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatcher;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@code EVFILT_FSEVENT} against the JDK {@link WatchService}, in one run: start-up on a large tree
 * (time, heap and resident memory retained, inotify watches), then events per second through one
 * watcher. Prints both figures and the ratio JDK / kqueue4j for each.
 *
 * <p>Start-up, kqueue4j: {@code FsWatcher.builder().root(tree).build()}, which returns once every
 * directory is watched, with the default source ({@code linux-inotify}: a watch per directory) and,
 * where it can run (it needs {@code CAP_SYS_ADMIN}), with {@code source("linux-fanotify")} (one
 * filesystem-wide mark and a listing of the directories). JDK: {@code Files.walkFileTree} registering each directory with one
 * {@code WatchService} for {@code ENTRY_CREATE}, {@code ENTRY_DELETE}, {@code ENTRY_MODIFY}, the
 * usual way to watch a tree with it. Both run on the same tree, one after the other (each needs a
 * watch per directory and the per-user limit {@code fs.inotify.max_user_watches} would not hold
 * both), after a walk that warms the dentry cache for both alike.
 *
 * <p>Throughput: {@code --events} files are created in 10 directories and then deleted (2 events
 * each) while one reader consumes: through a kqueue ({@code EVFILT_FSEVENT}, {@code EV_CLEAR}) and
 * {@link FsWatcher#drainTo} for kqueue4j, through {@code take}/{@code pollEvents} for the JDK. The
 * figure is events received per second from the first file operation to the last event received;
 * losses (drop markers, {@code OVERFLOW}) are counted. The file operations bound both from above,
 * so their own rate is printed too.
 *
 * <p>Usage: {@code FsEventBench [--dirs 100000] [--fanout 10] [--events 100000] [--dir PATH]
 * [--skip-jdk] [--skip-fanotify] [--keep]}.
 */
public final class FsEventBench {

  private static final String FANOTIFY = "linux-fanotify";

  private int dirs = 100_000;
  private int fanout = 10;
  private int events = 100_000;
  private Path base;
  private boolean skipJdk;
  private boolean skipFanotify;
  private boolean keep;

  public static void main(String[] args) throws Exception {
    FsEventBench b = new FsEventBench();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--dirs" -> b.dirs = Integer.parseInt(args[++i]);
        case "--fanout" -> b.fanout = Integer.parseInt(args[++i]);
        case "--events" -> b.events = Integer.parseInt(args[++i]);
        case "--dir" -> b.base = Path.of(args[++i]);
        case "--skip-jdk" -> b.skipJdk = true;
        case "--skip-fanotify" -> b.skipFanotify = true;
        case "--keep" -> b.keep = true;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    b.run();
  }

  private void run() throws Exception {
    if (base == null) {
      base = Files.createTempDirectory("fsevent-bench");
    }
    environment();
    if (!skipFanotify) {
      try {
        FsEventSources.require(FANOTIFY);
      } catch (KQueueException e) {
        System.out.println("fanotify variant skipped: " + e.getMessage());
        skipFanotify = true;
      }
    }
    Path tree = base.resolve("tree");
    long g0 = System.nanoTime();
    int made = generate(tree, dirs, fanout);
    System.out.printf(Locale.ROOT, "tree: %,d directories (fan-out %d) made in %.1f s under %s%n",
        made, fanout, secs(System.nanoTime() - g0), tree);
    long walked = warm(tree);
    System.out.printf(Locale.ROOT, "warm-up walk: %,d directories%n", walked);
    // one-time costs (class loading, JNR binding, the source's thread) out of the figures
    Path small = base.resolve("warm-up");
    generate(small, 2000, fanout);
    for (int i = 0; i < 3; i++) {
      try (FsWatcher w = FsWatcher.builder().root(small).build()) {
        w.poll();
      }
      if (!skipFanotify) {
        try (FsWatcher w = FsWatcher.builder().root(small).source(FANOTIFY).build()) {
          w.poll();
        }
      }
      if (!skipJdk) {
        startupJdk(small, false).getClass();
      }
    }
    System.out.println("warm-up: 3 start-ups of each on 2,000 directories");
    System.out.println();

    Startup ours = startupKqueue4j(tree, null);
    Startup fan = skipFanotify ? null : startupKqueue4j(tree, FANOTIFY);
    Startup jdk = skipJdk ? null : startupJdk(tree, true);
    System.out.println();
    System.out.println("== start-up on " + String.format(Locale.ROOT, "%,d", made)
        + " directories ==");
    ours.print("kqueue4j " + ours.source);
    if (fan != null) {
      fan.print("kqueue4j " + fan.source);
      System.out.printf(Locale.ROOT,
          "ratio %s/%s: time %.2fx, heap retained %.2fx%n", ours.source, fan.source,
          ours.nanos / (double) fan.nanos, ours.heap / (double) Math.max(1, fan.heap));
    }
    if (jdk != null) {
      jdk.print("JDK WatchService");
      System.out.printf(Locale.ROOT,
          "ratio JDK/kqueue4j: time %.2fx, heap retained %.2fx, RSS growth %.2fx%n",
          jdk.nanos / (double) ours.nanos, jdk.heap / (double) ours.heap,
          jdk.rss / (double) Math.max(1, ours.rss));
    }

    Path hot = Files.createDirectory(base.resolve("hot"));
    List<Path> hotDirs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      hotDirs.add(Files.createDirectory(hot.resolve("d" + i)));
    }
    Throughput tOurs = throughputKqueue4j(hot, hotDirs, null);
    Throughput tFan = skipFanotify ? null : throughputKqueue4j(hot, hotDirs, FANOTIFY);
    Throughput tJdk = skipJdk ? null : throughputJdk(hot, hotDirs);
    System.out.println();
    System.out.printf(Locale.ROOT, "== events per second through one watcher (%,d creates + %,d"
        + " deletes in 10 directories) ==%n", events, events);
    tOurs.print("kqueue4j");
    if (tFan != null) {
      tFan.print("kqueue4j " + FANOTIFY);
    }
    if (tJdk != null) {
      tJdk.print("JDK WatchService");
      System.out.printf(Locale.ROOT, "ratio kqueue4j/JDK events per second: %.2fx%n",
          tOurs.perSecond() / tJdk.perSecond());
    }
    if (!keep) {
      delete(base);
    }
  }

  // ------------------------------------------------------------------------------ environment

  private static void environment() {
    System.out.println("== environment ==");
    System.out.println("java " + System.getProperty("java.version") + " on "
        + System.getProperty("os.name") + " " + System.getProperty("os.version") + ", "
        + Runtime.getRuntime().availableProcessors() + " CPUs, max heap "
        + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
    for (String k : new String[] {"max_user_watches", "max_user_instances",
        "max_queued_events"}) {
      System.out.println("fs.inotify." + k + " = " + sysctl("/proc/sys/fs/inotify/" + k));
    }
    System.out.println("inotify watches held by this process: " + ownWatches());
  }

  private static String sysctl(String file) {
    try (InputStream in = Files.newInputStream(Path.of(file))) {
      byte[] b = new byte[64];
      int n = in.read(b);
      return n <= 0 ? "?" : new String(b, 0, n, StandardCharsets.US_ASCII).trim();
    } catch (IOException e) {
      return "?";
    }
  }

  /** Counts {@code inotify wd:} lines in /proc/self/fdinfo: the watches this process holds. */
  static long ownWatches() {
    long n = 0;
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fdinfo"))) {
      for (Path fd : fds) {
        try (Stream<String> lines = Files.lines(fd)) {
          n += lines.filter(l -> l.startsWith("inotify wd:")).count();
        } catch (IOException e) {
          // closed meanwhile
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return n;
  }

  private static long usedHeap() throws InterruptedException {
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(50);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long rss() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
      return lines.filter(l -> l.startsWith("VmRSS:")).findFirst()
          .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).orElse(-1L);
    } catch (IOException e) {
      return -1;
    }
  }

  // ------------------------------------------------------------------------------ tree

  /** Makes {@code n} directories below {@code root} (root included), breadth first. */
  static int generate(Path root, int n, int fanout) throws IOException {
    Files.createDirectories(root);
    ArrayDeque<Path> todo = new ArrayDeque<>();
    todo.add(root);
    int made = 1;
    while (made < n) {
      Path parent = todo.poll();
      for (int i = 0; i < fanout && made < n; i++) {
        Path d = Files.createDirectory(parent.resolve("d" + i));
        todo.add(d);
        made++;
      }
    }
    return made;
  }

  private static long warm(Path tree) throws IOException {
    try (Stream<Path> s = Files.walk(tree)) {
      return s.filter(Files::isDirectory).count();
    }
  }

  private static void delete(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    }
  }

  // ------------------------------------------------------------------------------ start-up

  record Startup(String source, long nanos, long heap, long rss, long watches, long dirs) {
    void print(String who) {
      System.out.printf(Locale.ROOT,
          "%-28s %8.2f s  %,9.0f dirs/s  heap retained %7.1f MiB (%4.0f B/dir)  RSS +%7.1f MiB"
              + "  watches %,d%n",
          who, secs(nanos), dirs / secs(nanos), heap / 1048576.0, heap / (double) dirs,
          rss / 1048576.0, watches);
    }
  }

  /** Start-up with source {@code source}, or the default one when null. */
  private Startup startupKqueue4j(Path tree, String source) throws Exception {
    long heap0 = usedHeap();
    long rss0 = rss();
    long t0 = System.nanoTime();
    FsWatcher w = FsWatcher.builder().root(tree).source(source)
        .progress((d, e, nanos, done) -> {
          if (done || d % 20_000 == 0) {
            System.out.printf(Locale.ROOT, "  kqueue4j start-up: %,d directories, %,d entries,"
                + " %.2f s%s%n", d, e, secs(nanos), done ? " (done)" : "");
          }
        })
        .build();
    long nanos = System.nanoTime() - t0;
    long heap = usedHeap() - heap0;
    long rss = rss() - rss0;
    long watches = ownWatches();
    long dirs = w.watchedDirectories();
    String name = w.sourceName();
    w.close();
    return new Startup(name, nanos, heap, rss, watches, dirs);
  }

  private Startup startupJdk(Path tree, boolean measure) throws Exception {
    long heap0 = measure ? usedHeap() : 0;
    long rss0 = rss();
    long t0 = System.nanoTime();
    WatchService ws = FileSystems.getDefault().newWatchService();
    AtomicLong n = new AtomicLong();
    Files.walkFileTree(tree, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
          throws IOException {
        dir.register(ws, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
        if (n.incrementAndGet() % 20_000 == 0 && measure) {
          System.out.printf(Locale.ROOT, "  JDK start-up: %,d directories, %.2f s%n", n.get(),
              secs(System.nanoTime() - t0));
        }
        return FileVisitResult.CONTINUE;
      }
    });
    long nanos = System.nanoTime() - t0;
    long heap = measure ? usedHeap() - heap0 : 0;
    long rss = rss() - rss0;
    long watches = ownWatches();
    ws.close();
    return new Startup("jdk", nanos, heap, rss, watches, n.get());
  }

  // ------------------------------------------------------------------------------ throughput

  record Throughput(long received, long lost, long nanos, long opsNanos) {
    double perSecond() {
      return received / secs(nanos);
    }

    void print(String who) {
      System.out.printf(Locale.ROOT,
          "%-18s %,10.0f events/s  received %,d  lost %,d  in %.2f s (file operations alone: %.2f s,"
              + " %,.0f ops/s)%n",
          who, perSecond(), received, lost, secs(nanos), secs(opsNanos),
          received == 0 ? 0.0 : (received + lost) / secs(opsNanos));
    }
  }

  /** Creates then deletes {@code events} files across {@code dirs}; returns the time taken. */
  private long churn(List<Path> dirs) throws IOException {
    long t0 = System.nanoTime();
    for (int i = 0; i < events; i++) {
      Files.createFile(dirs.get(i % dirs.size()).resolve("f" + i));
    }
    for (int i = 0; i < events; i++) {
      Files.delete(dirs.get(i % dirs.size()).resolve("f" + i));
    }
    return System.nanoTime() - t0;
  }

  private Throughput throughputKqueue4j(Path hot, List<Path> dirs, String source)
      throws Exception {
    try (FsWatcher w = FsWatcher.builder().root(hot).source(source)
            .types(FsEventType.CREATE_FILE, FsEventType.DELETE)
            .coalescingWindow(Duration.ZERO)
            .queueCapacity(1 << 16)
            .build();
        KQueue kq = KQueue.emulated()) {
      kq.kevent(new KEvent[] {KEvent.of(w.id(), EVFILT_FSEVENT, EV_ADD | EV_CLEAR, 0, 0, null)},
          null, Duration.ZERO);
      AtomicLong received = new AtomicLong();
      AtomicLong lost = new AtomicLong();
      AtomicLong last = new AtomicLong();
      long expected = 2L * events;
      Thread reader = new Thread(() -> {
        KEvent[] out = new KEvent[1];
        long idleSince = System.nanoTime();
        try {
          while (received.get() + lost.get() < expected
              && System.nanoTime() - idleSince < 5_000_000_000L) {
            if (kq.kevent(null, out, Duration.ofMillis(100)) == 0) {
              continue;
            }
            int n = w.drainTo(e -> {
              if (e.type() == FsEventType.EVENTS_DROPPED) {
                lost.addAndGet(e.droppedCount());
              } else {
                received.incrementAndGet();
              }
            }, Integer.MAX_VALUE);
            if (n > 0) {
              last.set(System.nanoTime());
              idleSince = System.nanoTime();
            }
          }
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      }, "kqueue4j-reader");
      reader.start();
      long t0 = System.nanoTime();
      long ops = churn(dirs);
      reader.join();
      return new Throughput(received.get(), lost.get(), last.get() - t0, ops);
    }
  }

  private Throughput throughputJdk(Path hot, List<Path> dirs) throws Exception {
    try (WatchService ws = FileSystems.getDefault().newWatchService()) {
      hot.register(ws, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
      for (Path d : dirs) {
        d.register(ws, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
      }
      AtomicLong received = new AtomicLong();
      AtomicLong overflows = new AtomicLong();
      AtomicLong last = new AtomicLong();
      long expected = 2L * events;
      Thread reader = new Thread(() -> {
        long idleSince = System.nanoTime();
        try {
          while (received.get() < expected && System.nanoTime() - idleSince < 5_000_000_000L) {
            WatchKey key = ws.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (key == null) {
              continue;
            }
            for (WatchEvent<?> e : key.pollEvents()) {
              if (e.kind() == OVERFLOW) {
                overflows.incrementAndGet();
              } else {
                received.addAndGet(e.count());
              }
            }
            key.reset();
            last.set(System.nanoTime());
            idleSince = System.nanoTime();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "jdk-reader");
      reader.start();
      long t0 = System.nanoTime();
      long ops = churn(dirs);
      reader.join();
      // an OVERFLOW does not say how many were lost: count what never arrived
      return new Throughput(received.get(), expected - received.get(), last.get() - t0, ops);
    }
  }

  private static double secs(long nanos) {
    return nanos / 1e9;
  }
}
