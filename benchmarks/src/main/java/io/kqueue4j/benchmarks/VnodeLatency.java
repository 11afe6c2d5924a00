package io.kqueue4j.benchmarks;

import static io.kqueue4j.KEvent.EVFILT_VNODE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.NOTE_WRITE;
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
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Change-to-delivery latency of {@code EVFILT_VNODE} beside its peers, on the same operations in
 * one run. The operation appends one byte to a file through a descriptor kept open (so only {@code
 * IN_MODIFY} fires), noting {@link System#nanoTime()} just before the write; an observer notes the
 * time its waiting thread wakes with the event. Three observers:
 *
 * <ul>
 *   <li>{@code kqueue}: an emulated kqueue with an {@code EV_CLEAR} {@code NOTE_WRITE} knote on a
 *       descriptor of the file, its thread blocked in {@code kevent}: the inotify source's epoll
 *       thread, its {@code fstat}, the knote list and the kqueue's wake-up are on the path;
 *   <li>{@code inotify}: a raw read loop on an inotify instance of its own ({@code
 *       io.kqueue4j.linux.Inotify}) woken by epoll: the floor the source is built on;
 *   <li>{@code watchservice}: the JDK's {@link WatchService} on the file's directory, its thread in
 *       {@link WatchService#poll}.
 * </ul>
 *
 * <p>They take turns in blocks of operations whose order rotates, only one of them watching during
 * a block (the others' watches are removed), so that none pays for another's threads and all see
 * the same machine over the run. The writer waits for the observer's hand-off (or a second, after
 * which the operation counts as missed) before the next write.
 *
 * <p>Usage: {@code VnodeLatency [blocks] [operations per block]} (default 60 and 500, after a tenth
 * as many warm-up blocks). Prints p50, p90, p99 and p99.9 of each, the ratios to the raw inotify
 * loop, and for {@link Compare} lines {@code RESULT vnode.<name>.p50 <ns>} and {@code RESULT
 * vnode.<name>.p99 <ns>}.
 */
public final class VnodeLatency {
  private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** One mechanism under test. */
  private abstract static class Observer {
    final String name;
    final Thread thread;
    volatile boolean armed;
    /** The operation in flight and its start; set by the writer before the write. */
    volatile long started;
    volatile int operation = -1;
    volatile int seen = -1;
    volatile Thread writer;
    long[] latencies;
    int count;
    int missed;

    Observer(String name) {
      this.name = name;
      this.thread = new Thread(this::loop, "observer-" + name);
      this.thread.setDaemon(true);
    }

    abstract void arm() throws Exception;

    abstract void disarm() throws Exception;

    /** Waits for events until closed, calling {@link #seen()} on each for the file. */
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
        if (latencies != null) {
          latencies[count++] = now - started;
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
    Observer[] all = {kqueue(file), inotify(file), watchService(dir, file)};
    for (Observer o : all) {
      o.latencies = new long[blocks * perBlock];
      o.thread.start();
    }
    int op = 0;
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      ByteBuffer one = ByteBuffer.allocateDirect(1);
      for (int block = -warmups; block < blocks; block++) {
        for (int i = 0; i < all.length; i++) {
          Observer o = all[Math.floorMod(block + i, all.length)];
          o.arm();
          o.writer = Thread.currentThread();
          long[] keep = o.latencies;
          if (block < 0) {
            o.latencies = null;
          }
          for (int k = 0; k < perBlock; k++, op++) {
            o.started = System.nanoTime();
            o.operation = op;
            out.write(one.clear());
            long deadline = System.nanoTime() + TIMEOUT_NANOS;
            while (o.seen < op && System.nanoTime() < deadline) {
              LockSupport.parkNanos(TIMEOUT_NANOS);
            }
            if (o.seen < op && block >= 0) {
              o.missed++;
            }
          }
          o.latencies = keep;
          o.disarm();
        }
      }
    } finally {
      closing = true;
      for (Observer o : all) {
        o.close();
      }
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    }
    report(all, blocks, perBlock, warmups);
  }

  private static Observer kqueue(Path file) throws Exception {
    KQueue kq = KQueue.emulated();
    int fd = FileDescriptors.open(file);
    return new Observer("kqueue") {
      @Override
      void arm() throws Exception {
        kq.kevent(new KEvent[] {KEvent.of(fd, EVFILT_VNODE, EV_ADD | EV_CLEAR, NOTE_WRITE, 0,
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
        FileDescriptors.close(fd);
      }
    };
  }

  private static Observer inotify(Path file) throws Exception {
    Inotify inotify = Inotify.open();
    Epoll epoll = Epoll.open();
    epoll.add(inotify.fd(), Epoll.EPOLLIN, 0);
    return new Observer("inotify") {
      volatile int wd = -1;

      @Override
      void arm() throws Exception {
        wd = inotify.addWatch(file, Inotify.IN_MODIFY);
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
            while (inotify.read(e -> hit[0] |= e.is(Inotify.IN_MODIFY)) > 0) {
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

  private static Observer watchService(Path dir, Path file) throws Exception {
    WatchService service = FileSystems.getDefault().newWatchService();
    return new Observer("watchservice") {
      volatile WatchKey key;

      @Override
      void arm() throws Exception {
        key = dir.register(service, ENTRY_MODIFY);
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
          boolean hit = false;
          for (WatchEvent<?> e : k.pollEvents()) {
            hit |= e.kind() == ENTRY_MODIFY && file.getFileName().equals(e.context());
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

  private static void report(Observer[] all, int blocks, int perBlock, int warmups) {
    System.out.printf("EVFILT_VNODE source: %s; %d blocks of %d appends per observer after %d"
            + " warm-up blocks; %d CPUs%n", VnodeSources.activeName(), blocks, perBlock, warmups,
        Runtime.getRuntime().availableProcessors());
    System.out.printf("%-13s %9s %9s %9s %9s %7s %12s %12s%n", "observer", "p50 ns", "p90 ns",
        "p99 ns", "p99.9 ns", "missed", "p50/inotify", "p99/inotify");
    long[][] sorted = new long[all.length][];
    for (int i = 0; i < all.length; i++) {
      sorted[i] = Arrays.copyOf(all[i].latencies, all[i].count);
      Arrays.sort(sorted[i]);
    }
    long base50 = at(sorted[1], 50);
    long base99 = at(sorted[1], 99);
    for (int i = 0; i < all.length; i++) {
      long[] s = sorted[i];
      System.out.printf("%-13s %9d %9d %9d %9d %7d %12.2f %12.2f%n", all[i].name, at(s, 50),
          at(s, 90), at(s, 99), at(s, 99.9), all[i].missed, (double) at(s, 50) / base50,
          (double) at(s, 99) / base99);
    }
    System.out.printf("kqueue/watchservice: p50 %.2f, p99 %.2f%n",
        (double) at(sorted[0], 50) / at(sorted[2], 50),
        (double) at(sorted[0], 99) / at(sorted[2], 99));
    for (int i = 0; i < all.length; i++) {
      System.out.printf("RESULT vnode.%s.p50 %d%n", all[i].name, at(sorted[i], 50));
      System.out.printf("RESULT vnode.%s.p99 %d%n", all[i].name, at(sorted[i], 99));
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
