package io.kqueue4j.benchmarks;

import static io.kqueue4j.KEvent.EVFILT_VNODE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.NOTE_ATTRIB;
import static io.kqueue4j.KEvent.NOTE_WRITE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.filters.vnode.VnodeSources;
import io.kqueue4j.linux.Epoll;
import io.kqueue4j.linux.EpollEventArray;
import io.kqueue4j.linux.Inotify;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Change-to-delivery latency of {@code EVFILT_VNODE} beside its peers, on the same operations in
 * one run. Each operation notes {@link System#nanoTime()} just before its system call; an observer
 * notes the time its waiting thread wakes with the event. The operations:
 *
 * <ul>
 *   <li>{@code append}: one byte appended to a file through a descriptor kept open (so only {@code
 *       IN_MODIFY} fires); watched as {@code NOTE_WRITE}, {@code IN_MODIFY}, {@code ENTRY_MODIFY};
 *   <li>{@code chmod}: the file's mode switched between two values (an attribute change); watched
 *       as {@code NOTE_ATTRIB}, {@code IN_ATTRIB}, {@code ENTRY_MODIFY};
 *   <li>{@code entry}: an entry of the directory created, then deleted, each step one sample;
 *       watched as the directory's {@code NOTE_WRITE}, {@code IN_CREATE|IN_DELETE}, {@code
 *       ENTRY_CREATE}/{@code ENTRY_DELETE}.
 * </ul>
 *
 * <p>Three observers:
 *
 * <ul>
 *   <li>{@code kqueue}: an emulated kqueue with an {@code EV_CLEAR} knote on a descriptor of the
 *       file or directory, its thread blocked in {@code kevent}: the inotify source, its {@code
 *       fstat} when the knote asks for a bit derived from the state ({@code NOTE_ATTRIB}), the knote
 *       list and the kqueue's wake-up are on the path;
 *   <li>{@code inotify}: a raw read loop on an inotify instance of its own ({@code
 *       io.kqueue4j.linux.Inotify}) woken by epoll: the floor the source is built on;
 *   <li>{@code watchservice}: the JDK's {@link WatchService} on the directory, its thread in {@link
 *       WatchService#poll}.
 * </ul>
 *
 * <p>They take turns in blocks of operations whose order rotates, only one of them watching during
 * a block (the others' watches are removed), so that none pays for another's threads and all see
 * the same machine over the run; every operation gets a block per observer in each round. The
 * writer waits for the observer's hand-off (or a second, after which the operation counts as
 * missed) before the next operation.
 *
 * <p>Usage: {@code VnodeLatency [blocks] [operations per block]} (default 60 and 500, after a tenth
 * as many warm-up blocks). Prints, per operation, p50, p90, p99 and p99.9 of each observer and the
 * ratios to the raw inotify loop, then lines {@code RESULT vnode.<observer>.p50 <ns>} and {@code
 * RESULT vnode.<observer>.p99 <ns>}: for {@code append} with these names, which {@link Compare}
 * reads, for the others as {@code vnode.<operation>.<observer>.p50} and so on.
 */
public final class VnodeLatency {
  private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** One change made again and again, and what each observer watches to see it. */
  private record Operation(String name, String what, Path watched, int fflags, int inotifyMask,
      Set<WatchEvent.Kind<Path>> kinds, Path entry, Step step) {

    /** The prefix of its {@code RESULT} names: {@link Compare} reads {@code append}'s as they were. */
    String resultPrefix() {
      return name.equals("append") ? "vnode." : "vnode." + name + ".";
    }
  }

  /** One change: the system call whose event is awaited. */
  private interface Step {
    void run() throws Exception;
  }

  /** One mechanism under test. */
  private abstract static class Observer {
    final String name;
    final Thread thread;
    /** The operation in flight and its start; set by the writer before the change. */
    volatile long started;
    volatile int operation = -1;
    volatile int seen = -1;
    volatile Thread writer;
    /** Per operation: latencies, their count, misses; {@link #current} is the one armed. */
    long[][] latencies;
    int[] count;
    int[] missed;
    volatile int current;
    volatile boolean recording;

    Observer(String name) {
      this.name = name;
      this.thread = new Thread(this::loop, "observer-" + name);
      this.thread.setDaemon(true);
    }

    abstract void arm(Operation op) throws Exception;

    abstract void disarm() throws Exception;

    /** Waits for events until closed, calling {@link #seen()} on each for the armed operation. */
    abstract void await() throws Exception;

    abstract void close() throws Exception;

    private void loop() {
      try {
        await();
      } catch (Exception e) {
        if (!closing) {
          throw new IllegalStateException(name + " observer failed", e);
        }
      }
    }

    void seen() {
      long now = System.nanoTime();
      int op = operation;
      if (op > seen) {
        if (recording) {
          latencies[current][count[current]++] = now - started;
        }
        seen = op;
        LockSupport.unpark(writer);
      }
    }
  }

  private static volatile boolean closing;

  private VnodeLatency() {}

  public static void main(String[] args) throws Exception {
    int blocks = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    int perBlock = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    int warmups = Math.max(1, blocks / 10);
    Path dir = Files.createTempDirectory("vnode-latency");
    Path file = Files.writeString(dir.resolve("watched"), "");
    Path entry = dir.resolve("entry");
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      List<Operation> ops = operations(dir, file, entry, out);
      Observer[] all = {kqueue(), inotify(), watchService(dir)};
      for (Observer o : all) {
        o.latencies = new long[ops.size()][blocks * perBlock];
        o.count = new int[ops.size()];
        o.missed = new int[ops.size()];
        o.thread.start();
      }
      try {
        run(ops, all, blocks, perBlock, warmups);
      } finally {
        closing = true;
        for (Observer o : all) {
          o.close();
        }
      }
      report(ops, all, blocks, perBlock, warmups);
    } finally {
      Files.deleteIfExists(entry);
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    }
  }

  private static List<Operation> operations(Path dir, Path file, Path entry, FileChannel out) {
    ByteBuffer one = ByteBuffer.allocateDirect(1);
    Set<PosixFilePermission> a = PosixFilePermissions.fromString("rw-r--r--");
    Set<PosixFilePermission> b = PosixFilePermissions.fromString("rw-------");
    boolean[] flip = new boolean[2];
    return List.of(
        new Operation("append", "1-byte append", file, NOTE_WRITE, Inotify.IN_MODIFY,
            Set.of(ENTRY_MODIFY), file, () -> out.write(one.clear())),
        new Operation("chmod", "chmod of the file", file, NOTE_ATTRIB, Inotify.IN_ATTRIB,
            Set.of(ENTRY_MODIFY), file, () -> {
              flip[0] = !flip[0];
              Files.setPosixFilePermissions(file, flip[0] ? b : a);
            }),
        new Operation("entry", "create, then delete, an entry of the directory", dir, NOTE_WRITE,
            Inotify.IN_CREATE | Inotify.IN_DELETE, Set.of(ENTRY_CREATE, ENTRY_DELETE), entry,
            () -> {
              flip[1] = !flip[1];
              if (flip[1]) {
                Files.createFile(entry);
              } else {
                Files.delete(entry);
              }
            }));
  }

  /** The blocks: in each, every operation under every observer, the observers' order rotating. */
  private static void run(List<Operation> ops, Observer[] all, int blocks, int perBlock,
      int warmups) throws Exception {
    int op = 0;
    for (int block = -warmups; block < blocks; block++) {
      for (int j = 0; j < ops.size(); j++) {
        Operation operation = ops.get(j);
        for (int i = 0; i < all.length; i++) {
          Observer o = all[Math.floorMod(block + i, all.length)];
          o.current = j;
          o.recording = block >= 0;
          o.arm(operation);
          o.writer = Thread.currentThread();
          for (int k = 0; k < perBlock; k++, op++) {
            o.started = System.nanoTime();
            o.operation = op;
            operation.step().run();
            long deadline = System.nanoTime() + TIMEOUT_NANOS;
            while (o.seen < op && System.nanoTime() < deadline) {
              LockSupport.parkNanos(TIMEOUT_NANOS);
            }
            if (o.seen < op && block >= 0) {
              o.missed[j]++;
            }
          }
          o.disarm();
        }
      }
    }
  }

  private static Observer kqueue() throws Exception {
    KQueue kq = KQueue.emulated();
    Map<Path, Integer> fds = new HashMap<>();
    return new Observer("kqueue") {
      int fd;

      @Override
      void arm(Operation op) throws Exception {
        fd = fds.computeIfAbsent(op.watched(), VnodeLatency::open);
        kq.kevent(new KEvent[] {KEvent.of(fd, EVFILT_VNODE, EV_ADD | EV_CLEAR, op.fflags(), 0,
            null)}, null, Duration.ZERO);
      }

      @Override
      void disarm() throws Exception {
        kq.kevent(new KEvent[] {KEvent.of(fd, EVFILT_VNODE, EV_DELETE, 0, 0, null)}, null,
            Duration.ZERO);
      }

      @Override
      void await() throws Exception {
        KEvent[] events = new KEvent[1];
        while (!closing) {
          if (kq.kevent(null, events, Duration.ofMillis(200)) == 1) {
            seen();
          }
        }
      }

      @Override
      void close() throws Exception {
        kq.close();
        for (int each : fds.values()) {
          FileDescriptors.close(each);
        }
      }
    };
  }

  private static int open(Path path) {
    try {
      return FileDescriptors.open(path);
    } catch (Exception e) {
      throw new IllegalStateException("open " + path, e);
    }
  }

  private static Observer inotify() throws Exception {
    Inotify inotify = Inotify.open();
    Epoll epoll = Epoll.open();
    epoll.add(inotify.fd(), Epoll.EPOLLIN, 0);
    return new Observer("inotify") {
      volatile int wd = -1;
      volatile int mask;

      @Override
      void arm(Operation op) throws Exception {
        mask = op.inotifyMask();
        wd = inotify.addWatch(op.watched(), mask);
      }

      @Override
      void disarm() throws Exception {
        inotify.removeWatch(wd);
      }

      @Override
      void await() throws Exception {
        EpollEventArray ready = new EpollEventArray(1);
        boolean[] hit = new boolean[1];
        while (!closing) {
          if (epoll.waitEvents(ready, 200) > 0) {
            hit[0] = false;
            int wanted = mask;
            while (inotify.read(e -> hit[0] |= (e.mask() & wanted) != 0) > 0) {
              // drain
            }
            if (hit[0]) {
              seen();
            }
          }
        }
      }

      @Override
      void close() throws Exception {
        thread.join(1_000);
        inotify.close();
        epoll.close();
      }
    };
  }

  private static Observer watchService(Path dir) throws Exception {
    WatchService service = FileSystems.getDefault().newWatchService();
    return new Observer("watchservice") {
      volatile WatchKey key;
      volatile Operation armed;

      @Override
      void arm(Operation op) throws Exception {
        armed = op;
        key = dir.register(service, op.kinds().toArray(new WatchEvent.Kind<?>[0]));
      }

      @Override
      void disarm() {
        key.cancel();
      }

      @Override
      void await() throws Exception {
        while (!closing) {
          WatchKey k;
          try {
            k = service.poll(200, TimeUnit.MILLISECONDS);
          } catch (ClosedWatchServiceException e) {
            return;
          }
          if (k == null) {
            continue;
          }
          Operation op = armed;
          boolean hit = false;
          for (WatchEvent<?> e : k.pollEvents()) {
            hit |= op.kinds().contains(e.kind()) && op.entry().getFileName().equals(e.context());
          }
          k.reset();
          if (hit) {
            seen();
          }
        }
      }

      @Override
      void close() throws Exception {
        service.close();
      }
    };
  }

  private static void report(List<Operation> ops, Observer[] all, int blocks, int perBlock,
      int warmups) {
    System.out.printf("EVFILT_VNODE source: %s; %d blocks of %d operations per observer and"
            + " operation after %d warm-up blocks; %d CPUs%n", VnodeSources.activeName(), blocks,
        perBlock, warmups, Runtime.getRuntime().availableProcessors());
    for (int j = 0; j < ops.size(); j++) {
      Operation op = ops.get(j);
      System.out.printf("operation %s: %s%n", op.name(), op.what());
      System.out.printf("%-13s %9s %9s %9s %9s %7s %12s %12s%n", "observer", "p50 ns", "p90 ns",
          "p99 ns", "p99.9 ns", "missed", "p50/inotify", "p99/inotify");
      long[][] sorted = new long[all.length][];
      for (int i = 0; i < all.length; i++) {
        sorted[i] = Arrays.copyOf(all[i].latencies[j], all[i].count[j]);
        Arrays.sort(sorted[i]);
      }
      long base50 = at(sorted[1], 50);
      long base99 = at(sorted[1], 99);
      for (int i = 0; i < all.length; i++) {
        long[] s = sorted[i];
        System.out.printf("%-13s %9d %9d %9d %9d %7d %12.2f %12.2f%n", all[i].name, at(s, 50),
            at(s, 90), at(s, 99), at(s, 99.9), all[i].missed[j], (double) at(s, 50) / base50,
            (double) at(s, 99) / base99);
      }
      System.out.printf("kqueue/watchservice: p50 %.2f, p99 %.2f%n",
          (double) at(sorted[0], 50) / at(sorted[2], 50),
          (double) at(sorted[0], 99) / at(sorted[2], 99));
      for (int i = 0; i < all.length; i++) {
        System.out.printf("RESULT %s%s.p50 %d%n", op.resultPrefix(), all[i].name,
            at(sorted[i], 50));
        System.out.printf("RESULT %s%s.p99 %d%n", op.resultPrefix(), all[i].name,
            at(sorted[i], 99));
      }
    }
  }

  private static long at(long[] sorted, double percentile) {
    if (sorted.length == 0) {
      return -1;
    }
    int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
