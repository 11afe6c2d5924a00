package io.kqueue4j.benchmarks;

import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KQueue;
import io.kqueue4j.filters.descriptor.ReadinessSources;
import io.kqueue4j.samples.echo.EchoServer;
import io.kqueue4j.samples.echo.SelectorEchoServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Echo throughput of {@link EchoServer} (one thread, one emulated {@link KQueue}, {@code
 * EVFILT_READ}/{@code EVFILT_WRITE}) beside {@link SelectorEchoServer} (the same logic on a JDK
 * {@code Selector}), measured in the same run, alternating which goes first in each round.
 *
 * <p>Load: one client thread drives every connection through its own {@code Selector}, each
 * connection in ping-pong (send a message, wait for the whole echo, send the next). The figure is
 * completed round trips per second over the measured window, after a warm-up window. Beside it, the
 * CPU time the server spent per round trip over that window: its thread's, plus for kqueue4j the
 * descriptor source's thread ({@code kqueue4j-epoll}), from {@link ThreadMXBean}; this figure
 * moves less than throughput when other processes compete for the CPUs. Prints each
 * round, the medians and the ratio kqueue4j / Selector, and for {@link Compare} lines {@code
 * RESULT echo.kqueue <round trips/s>} and {@code RESULT echo.selector <round trips/s>}.
 *
 * <p>Usage: {@code EchoThroughput [--clients 64] [--size 512] [--warmup 2] [--seconds 5]
 * [--rounds 3]}.
 */
public final class EchoThroughput {
  private int clients = 64;
  private int size = 512;
  private double warmupSeconds = 2;
  private double seconds = 5;
  private int rounds = 3;
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  /** Server CPU nanoseconds per round trip in the last {@link #load}. */
  private double cpuPerTrip;
  /** Of {@link #cpuPerTrip}, what the threads after the first (the source's) spent. */
  private double sourceCpuPerTrip;

  public static void main(String[] args) throws Exception {
    EchoThroughput bench = new EchoThroughput();
    for (int i = 0; i < args.length; i += 2) {
      String value = args[i + 1];
      switch (args[i]) {
        case "--clients" -> bench.clients = Integer.parseInt(value);
        case "--size" -> bench.size = Integer.parseInt(value);
        case "--warmup" -> bench.warmupSeconds = Double.parseDouble(value);
        case "--seconds" -> bench.seconds = Double.parseDouble(value);
        case "--rounds" -> bench.rounds = Integer.parseInt(value);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    bench.run();
  }

  void run() throws Exception {
    String backend;
    try (KQueue kq = KQueue.emulated()) {
      backend = kq.backend();
    }
    System.out.printf(Locale.ROOT,
        "echo throughput: %d clients, %d-byte messages, %.1f s warm-up + %.1f s x %d rounds%n",
        clients, size, warmupSeconds, seconds, rounds);
    System.out.printf(Locale.ROOT,
        "kqueue4j: backend %s, descriptors %s, source %s; %d CPUs, Java %s%n", backend,
        FileDescriptors.support(), ReadinessSources.activeName(),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    double[] kqueue = new double[rounds];
    double[] selector = new double[rounds];
    double[] kqueueCpu = new double[rounds];
    double[] selectorCpu = new double[rounds];
    double[] sourceCpu = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      if (r % 2 == 0) {
        kqueue[r] = measureKQueue();
        kqueueCpu[r] = cpuPerTrip;
        sourceCpu[r] = sourceCpuPerTrip;
        selector[r] = measureSelector();
        selectorCpu[r] = cpuPerTrip;
      } else {
        selector[r] = measureSelector();
        selectorCpu[r] = cpuPerTrip;
        kqueue[r] = measureKQueue();
        kqueueCpu[r] = cpuPerTrip;
        sourceCpu[r] = sourceCpuPerTrip;
      }
      System.out.printf(Locale.ROOT, "round %d: kqueue4j %,.0f round trips/s, Selector %,.0f,"
          + " ratio %.2f; server CPU per round trip: kqueue4j %,.0f ns (%,.0f of it in"
          + " kqueue4j-epoll), Selector %,.0f ns, ratio %.2f%n", r + 1, kqueue[r], selector[r],
          kqueue[r] / selector[r], kqueueCpu[r], sourceCpu[r], selectorCpu[r],
          kqueueCpu[r] / selectorCpu[r]);
    }
    double kc = median(kqueueCpu);
    double sc = median(selectorCpu);
    double k = median(kqueue);
    double s = median(selector);
    System.out.printf(Locale.ROOT, "median: kqueue4j %,.0f round trips/s (%,.1f MB/s each way),"
        + " Selector %,.0f (%,.1f MB/s)%n", k, k * size / 1e6, s, s * size / 1e6);
    System.out.printf(Locale.ROOT, "ratio kqueue4j / Selector: %.2f%n", k / s);
    System.out.printf(Locale.ROOT, "server CPU per round trip: kqueue4j %,.0f ns, Selector %,.0f"
        + " ns, ratio %.2f%n", kc, sc, kc / sc);
    System.out.printf(Locale.ROOT, "RESULT echo.kqueue %.1f%n", k);
    System.out.printf(Locale.ROOT, "RESULT echo.selector %.1f%n", s);
    System.out.printf(Locale.ROOT, "RESULT echo.kqueue.cpu %.1f%n", kc);
    System.out.printf(Locale.ROOT, "RESULT echo.selector.cpu %.1f%n", sc);
  }

  private double measureKQueue() throws Exception {
    try (KQueue kq = KQueue.emulated()) {
      EchoServer server = new EchoServer(kq, loopback(), Math.max(size, 16 * 1024));
      Thread thread = new Thread(server, "echo-kqueue4j");
      thread.start();
      try {
        return load(server.port(), thread.getId(), threadId("kqueue4j-epoll"));
      } finally {
        server.close();
        thread.join();
      }
    }
  }

  private double measureSelector() throws Exception {
    SelectorEchoServer server = new SelectorEchoServer(loopback(), Math.max(size, 16 * 1024));
    Thread thread = new Thread(server, "echo-selector");
    thread.start();
    try {
      return load(server.port(), thread.getId());
    } finally {
      server.close();
      thread.join();
    }
  }

  private static InetSocketAddress loopback() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
  }

  /** The id of the live thread called {@code name}, or -1. */
  private long threadId(String name) {
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().equals(name)) {
        return info.getThreadId();
      }
    }
    return -1;
  }

  /** The CPU time so far of the threads {@code ids} (-1 for none). */
  private long cpu(long[] ids) {
    long sum = 0;
    for (long id : ids) {
      sum += id < 0 ? 0 : Math.max(0, threads.getThreadCpuTime(id));
    }
    return sum;
  }

  /**
   * Drives {@link #clients} ping-pong connections; returns round trips per second measured, and
   * leaves the server threads' CPU time per round trip in {@link #cpuPerTrip}.
   */
  private double load(int port, long... serverThreads) throws IOException {
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    List<Client> all = new ArrayList<>();
    try (Selector selector = Selector.open()) {
      for (int i = 0; i < clients; i++) {
        SocketChannel channel = SocketChannel.open(address);
        channel.configureBlocking(false);
        Client client = new Client(channel, size);
        all.add(client);
        channel.register(selector, SelectionKey.OP_READ, client);
        client.send();
      }
      long start = System.nanoTime();
      long measureFrom = start + (long) (warmupSeconds * 1e9);
      long end = measureFrom + (long) (seconds * 1e9);
      long counted = 0;
      long countedFrom = -1;
      long cpuFrom = 0;
      long sourceCpuFrom = 0;
      while (true) {
        long now = System.nanoTime();
        if (now >= end) {
          break;
        }
        if (countedFrom < 0 && now >= measureFrom) {
          countedFrom = now;
          counted = 0;
          cpuFrom = cpu(serverThreads);
          sourceCpuFrom = cpu(Arrays.copyOfRange(serverThreads, 1, serverThreads.length));
        }
        selector.select(Math.max(1, (end - now) / 1_000_000));
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
          SelectionKey key = it.next();
          it.remove();
          counted += ((Client) key.attachment()).readable();
        }
      }
      cpuPerTrip = (double) (cpu(serverThreads) - cpuFrom) / counted;
      sourceCpuPerTrip = (double) (cpu(Arrays.copyOfRange(serverThreads, 1, serverThreads.length))
          - sourceCpuFrom) / counted;
      return counted / ((System.nanoTime() - countedFrom) / 1e9);
    } finally {
      for (Client c : all) {
        c.channel.close();
      }
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** One ping-pong connection. */
  private static final class Client {
    final SocketChannel channel;
    final ByteBuffer out;
    final ByteBuffer in;

    Client(SocketChannel channel, int size) {
      this.channel = channel;
      this.out = ByteBuffer.allocateDirect(size);
      this.in = ByteBuffer.allocateDirect(size);
    }

    void send() throws IOException {
      out.clear();
      while (out.hasRemaining()) {
        channel.write(out); // small messages into an empty socket: never short in practice
      }
    }

    /** Reads what arrived; returns 1 when a whole echo completed (and the next was sent). */
    int readable() throws IOException {
      if (channel.read(in) < 0) {
        throw new IOException("the server closed a connection");
      }
      if (in.hasRemaining()) {
        return 0;
      }
      in.clear();
      send();
      return 1;
    }
  }
}
