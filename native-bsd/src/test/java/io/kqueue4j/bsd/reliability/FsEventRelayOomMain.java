package io.kqueue4j.bsd.reliability;

import static io.kqueue4j.KEvent.EVFILT_FSEVENT;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;

import io.kqueue4j.KEvent;
import io.kqueue4j.bsd.internal.FakeAbi;
import io.kqueue4j.bsd.internal.FakeKernel;
import io.kqueue4j.bsd.internal.KernelCalls;
import io.kqueue4j.bsd.internal.NativeKQueue;
import io.kqueue4j.filters.fsevent.FsWatcher;
import io.kqueue4j.filters.fsevent.WatchServiceFsEventSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Child JVM for {@link SourceThreadOomTest}: two native queues over {@link FakeKernel}s each bridge
 * the {@code EVFILT_FSEVENT} knote of one watcher; telling the first of a record fails once, on the
 * relay's thread, with an injected {@link OutOfMemoryError} from its kernel's {@code kevent}. Prints
 * whether the relay then still tells the other queue, and the failing one, of new records
 * ({@code "... after the error: true"} or {@code false}); the library's log goes to stderr.
 */
public final class FsEventRelayOomMain {
  static final String RELAY_THREAD = "kqueue4j-fsevent-relay";
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final FakeAbi ABI = FakeAbi.FREEBSD12;

  private FsEventRelayOomMain() {}

  /**
   * Runs the case.
   *
   * @param args none
   */
  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("relay-oom");
    FailingCalls calls = new FailingCalls(new FakeKernel(ABI));
    FakeKernel healthyKernel = new FakeKernel(ABI);
    try (NativeKQueue failingKq = NativeKQueue.open(calls, ABI.layout());
        NativeKQueue healthyKq = NativeKQueue.open(healthyKernel, ABI.layout());
        FsWatcher failing = watcher(Files.createDirectory(dir.resolve("failing")));
        FsWatcher healthy = watcher(Files.createDirectory(dir.resolve("healthy")))) {
      bridge(failingKq, failing);
      bridge(healthyKq, healthy);
      calls.armed.set(true);
      Files.createFile(failing.roots().get(0).resolve("f"));
      if (!calls.thrown.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("the relay did not tell the failing queue");
      }
      Files.createFile(healthy.roots().get(0).resolve("g"));
      boolean other = served(healthyKq, healthy);
      while (failing.poll() != null) {
        // read the records of the firing that was not passed on
      }
      Files.createFile(failing.roots().get(0).resolve("h"));
      boolean same = served(failingKq, failing);
      if (!calls.kernel.violations().isEmpty() || !healthyKernel.violations().isEmpty()) {
        throw new AssertionError("kernel input a real one would refuse: "
            + calls.kernel.violations() + healthyKernel.violations());
      }
      System.out.println("[reliability] relay serves the other queue after the error: " + other);
      System.out.println("[reliability] relay serves the failing queue after the error: " + same);
    } finally {
      calls.kernel.shutdown();
      healthyKernel.shutdown();
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private static FsWatcher watcher(Path root) throws IOException {
    return FsWatcher.builder().root(root).source(WatchServiceFsEventSource.NAME)
        .coalescingWindow(Duration.ZERO).build();
  }

  private static void bridge(NativeKQueue kq, FsWatcher w) throws Exception {
    kq.kevent(new KEvent[] {KEvent.of(w.id(), EVFILT_FSEVENT, EV_ADD | EV_CLEAR, 0, 0, null)},
        null, Duration.ZERO);
  }

  /** Whether {@code kq} reports {@code w}'s knote within {@link #WAIT}. */
  private static boolean served(NativeKQueue kq, FsWatcher w) throws Exception {
    KEvent[] out = new KEvent[1];
    return kq.kevent(null, out, WAIT) == 1 && out[0].ident() == w.id();
  }

  /** A kernel whose {@code kevent}, once armed, throws the injected error on the relay's thread. */
  private static final class FailingCalls implements KernelCalls {
    final FakeKernel kernel;
    final AtomicBoolean armed = new AtomicBoolean();
    final CountDownLatch thrown = new CountDownLatch(1);

    FailingCalls(FakeKernel kernel) {
      this.kernel = kernel;
    }

    @Override
    public int kqueue() {
      return kernel.kqueue();
    }

    @Override
    public int kevent(int kq, long changes, int nchanges, long events, int nevents,
        long timeout) {
      if (Thread.currentThread().getName().equals(RELAY_THREAD) && armed.getAndSet(false)) {
        thrown.countDown();
        throw SourceThreadOomTest.injected("kevent");
      }
      return kernel.kevent(kq, changes, nchanges, events, nevents, timeout);
    }

    @Override
    public int close(int fd) {
      return kernel.close(fd);
    }

    @Override
    public int errno() {
      return kernel.errno();
    }

    @Override
    public String name() {
      return kernel.name();
    }
  }
}
