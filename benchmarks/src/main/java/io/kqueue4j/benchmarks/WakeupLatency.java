package io.kqueue4j.benchmarks;

import static io.kqueue4j.KEvent.EVFILT_USER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.NOTE_TRIGGER;

import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Selector;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * Target 2: cross-thread wake-up latency, as a ping-pong between the main thread and an echo
 * thread that each block until the other wakes them. A sample is one round trip (two wake-ups)
 * timed with {@link System#nanoTime()}:
 *
 * <ul>
 *   <li>{@code kqueue}: each thread waits in {@code kevent} (no timeout) on its own emulated kqueue
 *       and wakes the other by triggering an {@code EV_CLEAR} {@code EVFILT_USER} knote there.
 *   <li>{@code park}, the peer: {@link LockSupport#park()} and {@link LockSupport#unpark} around a
 *       volatile counter.
 *   <li>{@code selector}, the other peer: each thread waits in {@link Selector#select()} on its own
 *       selector and wakes the other with {@link Selector#wakeup()}.
 * </ul>
 *
 * <p>The three run interleaved, in blocks of round trips whose order rotates, so that all see the
 * same machine: on a virtual machine, the cost of waking an idle CPU drifts by an order of
 * magnitude over seconds, which separate JMH forks would attribute to the mechanism.
 *
 * <p>Usage: {@code WakeupLatency [blocks] [round trips per block]} (default 100 and 1,000, after
 * a tenth as many warm-up blocks). Prints p50, p99 and p99.9 of each and the share of round trips
 * over 20 µs, and for {@link Compare}
 * lines {@code RESULT <name>.p50 <ns>} and {@code RESULT <name>.p99 <ns>}.
 */
public final class WakeupLatency {
  /** A round trip this slow took a wake-up of an idle CPU (tens of microseconds on a VM). */
  private static final long SLOW_NANOS = 20_000;

  /** One mechanism: a round trip to its echo thread and back. */
  interface PingPong extends AutoCloseable {
    String name();

    void roundTrip() throws Exception;

    @Override
    void close() throws Exception;
  }

  private WakeupLatency() {}

  public static void main(String[] args) throws Exception {
    int blocks = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int perBlock = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    int warmups = Math.max(1, blocks / 10);
    PingPong[] all = {new KQueuePingPong(), new ParkPingPong(), new SelectorPingPong()};
    long[][] samples = new long[all.length][blocks * perBlock];
    try {
      for (int block = -warmups; block < blocks; block++) {
        for (int i = 0; i < all.length; i++) {
          int which = Math.floorMod(block + i, all.length);
          PingPong p = all[which];
          for (int k = 0; k < perBlock; k++) {
            long start = System.nanoTime();
            p.roundTrip();
            long took = System.nanoTime() - start;
            if (block >= 0) {
              samples[which][block * perBlock + k] = took;
            }
          }
        }
      }
    } finally {
      for (PingPong p : all) {
        p.close();
      }
    }
    for (int i = 0; i < all.length; i++) {
      long[] s = samples[i];
      Arrays.sort(s);
      String name = all[i].name();
      long slow = Arrays.stream(s).filter(t -> t > SLOW_NANOS).count();
      System.out.printf("%-8s round trip over %,d samples: p50 %,d ns, p99 %,d ns, p99.9 %,d ns,"
          + " %.2f%% over %,d ns%n", name, s.length, at(s, 50), at(s, 99), at(s, 99.9),
          100.0 * slow / s.length, SLOW_NANOS);
      System.out.printf("RESULT %s.p50 %d%n", name, at(s, 50));
      System.out.printf("RESULT %s.p99 %d%n", name, at(s, 99));
    }
  }

  /** The nearest-rank percentile of sorted samples. */
  static long at(long[] sorted, double percentile) {
    int rank = (int) Math.ceil(percentile / 100 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static Thread start(String name, Runnable echo) {
    Thread t = new Thread(echo, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Two kqueues, each with knote 1; the echo thread answers every event on its queue. */
  static final class KQueuePingPong implements PingPong {
    private final KQueue own = KQueue.emulated();
    private final KQueue echoes = KQueue.emulated();
    private final KEventBuffer trigger =
        new KEventBuffer(1).add(1, EVFILT_USER, 0, NOTE_TRIGGER, 0, null);
    private final KEventBuffer events = new KEventBuffer(1);
    private final Thread echo;

    KQueuePingPong() throws KQueueException {
      KEventBuffer add = new KEventBuffer(1).add(1, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, null);
      own.kevent(add, null, 0);
      echoes.kevent(add, null, 0);
      echo = start("kqueue-echo", this::echo);
    }

    private void echo() {
      KEventBuffer received = new KEventBuffer(1);
      KEventBuffer answer = new KEventBuffer(1).add(1, EVFILT_USER, 0, NOTE_TRIGGER, 0, null);
      try {
        while (true) {
          echoes.kevent(null, received, -1);
          own.kevent(answer, null, 0);
        }
      } catch (KQueueException closed) {
        // done
      }
    }

    @Override
    public String name() {
      return "kqueue";
    }

    @Override
    public void roundTrip() throws KQueueException {
      echoes.kevent(trigger, null, 0);
      own.kevent(null, events, -1);
    }

    @Override
    public void close() throws InterruptedException {
      echoes.close();
      echo.join();
      own.close();
    }
  }

  /** The echo thread copies {@code ping} to {@code pong} and unparks the caller. */
  static final class ParkPingPong implements PingPong {
    private volatile long ping;
    private volatile long pong;
    private volatile boolean running = true;
    private final Thread caller = Thread.currentThread();
    private final Thread echo = start("park-echo", this::echo);
    private long sequence;

    private void echo() {
      long seen = 0;
      while (running) {
        long n = ping;
        if (n == seen) {
          LockSupport.park(this);
          continue;
        }
        seen = n;
        pong = n;
        LockSupport.unpark(caller);
      }
    }

    @Override
    public String name() {
      return "park";
    }

    @Override
    public void roundTrip() {
      long n = ++sequence;
      ping = n;
      LockSupport.unpark(echo);
      while (pong != n) {
        LockSupport.park(this);
      }
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      LockSupport.unpark(echo);
      echo.join();
    }
  }

  /** Two selectors with nothing registered; the echo thread answers every wake-up. */
  static final class SelectorPingPong implements PingPong {
    private final Selector own = Selector.open();
    private final Selector echoes = Selector.open();
    private volatile boolean running = true;
    private final Thread echo = start("selector-echo", this::echo);

    SelectorPingPong() throws IOException {}

    private void echo() {
      try {
        while (true) {
          echoes.select();
          if (!running) {
            return;
          }
          own.wakeup();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public String name() {
      return "selector";
    }

    @Override
    public void roundTrip() throws IOException {
      echoes.wakeup();
      own.select();
    }

    @Override
    public void close() throws IOException, InterruptedException {
      running = false;
      echoes.wakeup();
      echo.join();
      own.close();
      echoes.close();
    }
  }
}
