package io.kqueue4j.linux.descriptor;

import static io.kqueue4j.KEvent.EVFILT_READ;
import static io.kqueue4j.KEvent.EVFILT_WRITE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.EV_DISPATCH;
import static io.kqueue4j.KEvent.EV_ENABLE;
import static io.kqueue4j.KEvent.EV_ERROR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.kernel.EmulatedKQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Registration, deletion, delivery and {@link FileDescriptors#close} of pipe knotes from several
 * threads at once while data flows, with the epoll thread posting throughout: nothing throws,
 * every event names a descriptor that was registered, and the kqueues end consistent.
 */
@EnabledOnOs(OS.LINUX)
class ConcurrentDescriptorStressTest {
  private static final int PIPES = 64;
  private static final int ITERATIONS = 3_000;

  @Test
  void churnWhileDataFlows() throws Exception {
    KQueue[] queues = {KQueue.emulated(), KQueue.emulated()};
    ExecutorService pool = Executors.newFixedThreadPool(4);
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    int[][] pipes = new int[PIPES][];
    for (int i = 0; i < PIPES; i++) {
      pipes[i] = FileDescriptors.pipe();
      Io.nonBlocking(pipes[i][0]);
      Io.nonBlocking(pipes[i][1]);
    }
    try {
      List<Future<?>> tasks = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        int seed = t;
        tasks.add(pool.submit(() -> churn(queues[seed % 2], pipes, seed, failures)));
      }
      tasks.add(pool.submit(() -> {
        Random random = new Random(99);
        for (int i = 0; i < ITERATIONS * 2; i++) {
          int[] p = pipes[random.nextInt(PIPES)];
          try {
            if (random.nextBoolean()) {
              Io.write(p[1], 1 + random.nextInt(100));
            } else {
              Io.read(p[0], 200);
            }
          } catch (Exception e) {
            failures.add(e);
          }
        }
      }));
      for (Future<?> task : tasks) {
        task.get(60, TimeUnit.SECONDS);
      }
      assertTrue(failures.isEmpty(), () -> "failures: " + failures);

      // Close half the pipes through the API: their knotes vanish from both queues.
      for (int i = 0; i < PIPES; i += 2) {
        FileDescriptors.close(pipes[i][0]);
        FileDescriptors.close(pipes[i][1]);
      }
      for (KQueue kq : queues) {
        KEvent[] events = new KEvent[256];
        int n = kq.kevent(null, events, Duration.ZERO);
        for (int i = 0; i < n; i++) {
          assertEquals(0, events[i].flags() & EV_ERROR, () -> "unexpected " + kq);
          int index = indexOf(pipes, (int) events[i].ident());
          assertTrue(index % 2 == 1, "no event for a closed pipe: " + events[i]);
        }
        ((EmulatedKQueue) kq).checkInvariants();
      }
    } finally {
      pool.shutdownNow();
      for (KQueue kq : queues) {
        kq.close();
      }
      for (int[] p : pipes) {
        Io.closeQuietly(p);
      }
    }
  }

  private static int indexOf(int[][] pipes, int fd) {
    for (int i = 0; i < pipes.length; i++) {
      if (pipes[i][0] == fd || pipes[i][1] == fd) {
        return i;
      }
    }
    throw new AssertionError("event for unknown descriptor " + fd);
  }

  private static void churn(KQueue kq, int[][] pipes, int seed,
      ConcurrentLinkedQueue<Throwable> failures) {
    Random random = new Random(seed);
    int[] flagChoices = {EV_ADD, EV_ADD | EV_CLEAR, EV_ADD | EV_DISPATCH, EV_DELETE, EV_ENABLE};
    KEvent[] out = new KEvent[32];
    for (int i = 0; i < ITERATIONS; i++) {
      int[] p = pipes[random.nextInt(pipes.length)];
      boolean read = random.nextBoolean();
      KEvent change = KEvent.of(read ? p[0] : p[1], read ? EVFILT_READ : EVFILT_WRITE,
          flagChoices[random.nextInt(flagChoices.length)], 0, 0, null);
      try {
        int n = kq.kevent(new KEvent[] {change}, out, Duration.ZERO);
        for (int j = 0; j < n; j++) {
          if ((out[j].flags() & EV_ERROR) != 0 && out[j].data() != io.kqueue4j.Errno.ENOENT) {
            failures.add(new AssertionError("unexpected error " + out[j]));
          }
        }
      } catch (Throwable e) {
        failures.add(e);
      }
    }
  }
}
