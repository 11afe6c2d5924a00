package io.kqueue4j.linux.reliability;

import static io.kqueue4j.KEvent.EVFILT_READ;
import static io.kqueue4j.KEvent.EVFILT_VNODE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.NOTE_WRITE;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.descriptor.DescriptorWatch;
import io.kqueue4j.filters.descriptor.ReadinessListener;
import io.kqueue4j.filters.descriptor.ReadinessSources;
import io.kqueue4j.filters.descriptor.SelectorDescriptors;
import io.kqueue4j.filters.descriptor.SelectorReadinessSource;
import io.kqueue4j.filters.fsevent.FsEventSink;
import io.kqueue4j.filters.fsevent.FsEventSource;
import io.kqueue4j.filters.fsevent.FsEventSources;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatch;
import io.kqueue4j.filters.fsevent.FsWatchSpec;
import io.kqueue4j.filters.fsevent.FsWatcher;
import io.kqueue4j.filters.fsevent.StartupProgress;
import io.kqueue4j.filters.fsevent.WatchServiceFsEventSource;
import io.kqueue4j.filters.spi.ProcessEventSource.ProcessEventListener;
import io.kqueue4j.filters.spi.ProcessEventSource.Subscription;
import io.kqueue4j.filters.vnode.PollingVnodeSource;
import io.kqueue4j.filters.vnode.Vnode;
import io.kqueue4j.filters.vnode.VnodeSource;
import io.kqueue4j.filters.vnode.VnodeSources;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.KNote;
import io.kqueue4j.linux.LibC;
import io.kqueue4j.linux.proc.PidFdProcessExitSource;
import io.kqueue4j.linux.proc.ProcConnectorEventSource;
import io.kqueue4j.testing.FilterSlot;
import io.kqueue4j.testing.LogCapture;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * An {@link OutOfMemoryError} thrown on a source's own thread is reported, not swallowed, and the
 * source keeps serving its other watches: the error is either logged at {@code ERROR} with the
 * error attached or handed to the thread's uncaught-exception handler. It is injected where each
 * source calls code outside itself on its thread: a readiness listener (epoll thread, and the
 * {@code Selector} thread of the portable fallback), an {@link FsEventSink} (the inotify and
 * fanotify loops, and the {@code WatchService} thread of the portable source), a filter's {@code
 * event} on a {@link Vnode}'s list (the vnode inotify thread and the stat-polling thread), a
 * {@code TimerClock} (a private timer thread) and an exit or process-event listener (a private
 * pidfd thread, a private process-event connector). The timer and pidfd cases run in a child JVM
 * ({@link OomInSourceThreadMain}), so that a regression that lets the error end the thread cannot
 * take surefire's fork with it (its handler ends the test JVM on an {@code OutOfMemoryError}); the
 * {@code WatchService} and connector threads belong to private source instances and are started
 * from an {@link UncaughtRecorder}, which keeps what escapes them for the same reason.
 */
@EnabledOnOs(OS.LINUX)
class SourceThreadOomTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private LogCapture log;

  @BeforeEach
  void capture() throws ReflectiveOperationException {
    log = new LogCapture();
  }

  @AfterEach
  void release() throws ReflectiveOperationException {
    log.close();
  }

  static OutOfMemoryError injected(String where) {
    return new OutOfMemoryError("injected in " + where + " on " + Thread.currentThread().getName());
  }

  /**
   * Waits until the injected error was logged at {@code ERROR} ({@code SEVERE} in {@code
   * java.util.logging}) with its stack trace; {@code where} may name the thread it was thrown on
   * ({@code "readReady on kqueue4j-epoll"}).
   */
  private void awaitLogged(String where) {
    String error = "java.lang.OutOfMemoryError: injected in " + where;
    await().atMost(WAIT).until(() -> log.text().contains("SEVERE: ")
        && log.text().contains(error));
  }

  /** A readiness listener that runs {@code onRead} for each read readiness. */
  private static ReadinessListener onRead(Runnable onRead) {
    return new ReadinessListener() {
      @Override
      public void readReady(long hint) {
        onRead.run();
      }

      @Override
      public void writeReady(long hint) {}
    };
  }

  @Test
  void epoll_thread_logs_the_error_and_keeps_serving() throws Exception {
    assumeTrue(ReadinessSources.activeName().equals("linux-epoll"), "needs the epoll source");
    int[] pipe = FileDescriptors.pipe();
    int[] other = FileDescriptors.pipe();
    AtomicBoolean armed = new AtomicBoolean(true);
    DescriptorWatch watch = ReadinessSources.active().watch(pipe[0], onRead(() -> {
      if (armed.getAndSet(false)) {
        throw injected("readReady");
      }
    }));
    try (KQueue kq = KQueue.emulated()) {
      watch.interest(true, false);
      LibC.write(pipe[1], ByteBuffer.allocateDirect(1));
      awaitLogged("readReady");
      kq.kevent(new KEvent[] {KEvent.of(other[0], EVFILT_READ, EV_ADD, 0, 0, null)}, null,
          Duration.ZERO);
      LibC.write(other[1], ByteBuffer.allocateDirect(1));
      KEvent[] out = new KEvent[1];
      assertEquals(1, kq.kevent(null, out, WAIT), "the epoll thread still serves other pipes");
      assertEquals(other[0], out[0].ident());
    } finally {
      watch.close();
      for (int fd : new int[] {pipe[0], pipe[1], other[0], other[1]}) {
        FileDescriptors.close(fd);
      }
    }
  }

  /**
   * The portable fallback of {@code EVFILT_READ}, on JDK pipes: its one {@code kqueue4j-selector}
   * thread serves every channel of the JVM that has no native source.
   */
  @Test
  void selector_thread_logs_the_error_and_keeps_serving() throws Exception {
    SelectorDescriptors tokens = new SelectorDescriptors();
    SelectorReadinessSource selector = new SelectorReadinessSource();
    Pipe failing = Pipe.open();
    Pipe healthy = Pipe.open();
    int failingToken = tokens.of(failing.source());
    int healthyToken = tokens.of(healthy.source());
    AtomicBoolean armed = new AtomicBoolean(true);
    CountDownLatch served = new CountDownLatch(1);
    DescriptorWatch failingWatch = selector.watch(failingToken, onRead(() -> {
      if (armed.getAndSet(false)) {
        throw injected("readReady");
      }
    }));
    DescriptorWatch healthyWatch = selector.watch(healthyToken, onRead(served::countDown));
    try {
      failingWatch.interest(true, false);
      healthyWatch.interest(true, false);
      failing.sink().write(ByteBuffer.wrap(new byte[1]));
      awaitLogged("readReady on kqueue4j-selector");
      healthy.sink().write(ByteBuffer.wrap(new byte[1]));
      assertTrue(served.await(WAIT.toSeconds(), TimeUnit.SECONDS),
          "the selector thread still serves other channels");
    } finally {
      failingWatch.close();
      healthyWatch.close();
      tokens.close(failingToken);
      tokens.close(healthyToken);
      failing.sink().close();
      healthy.sink().close();
    }
  }

  /** The source named {@code name}, or a skip with the reason it cannot run here. */
  private static FsEventSource availableFsEventSource(String name) {
    FsEventSource source = FsEventSources.all().stream()
        .filter(s -> s.name().equals(name)).findFirst().orElse(null);
    assumeTrue(source != null, () -> "no file-system event source " + name + " on the class path");
    Throwable why = source.unavailabilityCause();
    assumeTrue(why == null, () -> name + " is not available here: " + why);
    return source;
  }

  /**
   * A sink that records the paths of created files, and throws the injected error for its first
   * record when {@code armed}.
   */
  private static FsEventSink sink(AtomicBoolean armed, Queue<String> created) {
    return new FsEventSink() {
      @Override
      public boolean wants(FsEventType type) {
        return true;
      }

      @Override
      public boolean excludesDevice(long dev) {
        return false;
      }

      @Override
      public void event(FsEventType type, int root, String path, String destination, long dev,
          long ino, int mode, int uid, int gid, int flags) {
        if (armed.getAndSet(false)) {
          throw injected("FsEventSink.event");
        }
        if (type == FsEventType.CREATE_FILE) {
          created.add(path);
        }
      }

      @Override
      public void dropped() {}

      @Override
      public void rootGone(int root) {}

      @Override
      public void flush() {}
    };
  }

  private FsWatchSpec spec(Path root) {
    return new FsWatchSpec(List.of(root), FsEventType.all(), Set.of(), StartupProgress.NONE);
  }

  /**
   * A sink on one tree throws; the source's thread ({@code thread}) logs the error, and a sink on
   * another tree still gets its events. The first watch is started from a thread of an {@link
   * UncaughtRecorder}, so that a source whose thread that start creates reports there, instead of
   * ending surefire's fork, an error that escapes its thread.
   */
  private void fsEventThreadLogsTheErrorAndKeepsServing(FsEventSource source, String thread)
      throws Exception {
    Path failing = Files.createDirectory(dir.resolve("failing"));
    Path healthy = Files.createDirectory(dir.resolve("healthy"));
    Queue<String> created = new ConcurrentLinkedQueue<>();
    UncaughtRecorder uncaught = new UncaughtRecorder();
    FsWatch failingWatch = uncaught.call(() ->
        source.start(spec(failing), sink(new AtomicBoolean(true), created)));
    FsWatch healthyWatch = source.start(spec(healthy), sink(new AtomicBoolean(), created));
    try {
      Files.writeString(failing.resolve("f"), "x");
      awaitLogged("FsEventSink.event on " + thread);
      Files.writeString(healthy.resolve("g"), "x");
      await().atMost(WAIT).until(() -> created.contains("g"));
      assertEquals(List.of(), List.copyOf(uncaught.errors), "nothing escaped the thread");
    } finally {
      failingWatch.close();
      healthyWatch.close();
    }
  }

  @Test
  void fsevent_thread_logs_the_error_and_keeps_serving() throws Exception {
    fsEventThreadLogsTheErrorAndKeepsServing(availableFsEventSource("linux-inotify"),
        "kqueue4j-fsevent-inotify");
  }

  @Test
  void fanotify_thread_logs_the_error_and_keeps_serving() throws Exception {
    fsEventThreadLogsTheErrorAndKeepsServing(availableFsEventSource("linux-fanotify"),
        "kqueue4j-fsevent-fanotify");
  }

  /**
   * The portable source's one dispatcher thread serves every portable watcher of its instance (of
   * the JVM, for the instance {@link FsWatcher} uses); a private instance here, whose thread is
   * started by the first watch.
   */
  @Test
  void watchservice_thread_logs_the_error_and_keeps_serving() throws Exception {
    fsEventThreadLogsTheErrorAndKeepsServing(new WatchServiceFsEventSource(),
        "kqueue4j-fsevent-watchservice");
  }

  /**
   * A filter whose knotes sit on a {@link Vnode}'s list of {@code source}. The knote on {@code
   * failing} is never active, and its {@code event} throws once when armed; the others report the
   * {@code NOTE_*} bits posted since their last delivery.
   */
  static final class VnodeListFilter implements FilterOps {
    final AtomicBoolean armed = new AtomicBoolean();
    private final VnodeSource source;
    private final int failing;

    VnodeListFilter(VnodeSource source, int failing) {
      this.source = source;
      this.failing = failing;
    }

  @Override
    public boolean isFd() {
      return true;
    }

    @Override
    public void attach(KNote kn) throws KQueueException {
      Vnode vnode = source.acquire((int) kn.ident(), NOTE_WRITE);
      kn.setHook(vnode);
      vnode.knotes().add(kn);
    }

    @Override
    public void detach(KNote kn) {
      Vnode vnode = (Vnode) kn.hook();
      vnode.knotes().remove(kn);
      vnode.release((int) kn.ident(), NOTE_WRITE);
    }

    @Override
    public boolean event(KNote kn, long hint) {
      if (kn.ident() == failing) {
        if (hint != 0 && armed.getAndSet(false)) {
          throw injected("Vnode post");
        }
        return false;
      }
      kn.addFflags((int) hint);
      return kn.fflags() != 0;
    }
  }

  @Test
  void vnode_thread_logs_the_error_and_keeps_serving() throws Exception {
    assumeTrue(VnodeSources.activeName().equals("linux-inotify"), "needs the inotify vnode source");
    Path failing = Files.writeString(dir.resolve("failing"), "x");
    Path healthy = Files.writeString(dir.resolve("healthy"), "x");
    int failingFd = FileDescriptors.open(failing);
    int healthyFd = FileDescriptors.open(healthy);
    VnodeListFilter filter = new VnodeListFilter(VnodeSources.active(), failingFd);
    try (FilterSlot slot = FilterSlot.install(filter);
        KQueue kq = KQueue.emulated()) {
      kq.kevent(new KEvent[] {
        KEvent.of(failingFd, slot.filter, EV_ADD | EV_CLEAR, 0, 0, null),
        KEvent.of(healthyFd, EVFILT_VNODE, EV_ADD | EV_CLEAR, NOTE_WRITE, 0, null)}, null,
          Duration.ZERO);
      filter.armed.set(true);
      Files.writeString(failing, "y");
      awaitLogged("Vnode post");
      Files.writeString(healthy, "y");
      KEvent[] out = new KEvent[1];
      assertEquals(1, kq.kevent(null, out, WAIT), "the vnode thread still serves other files");
      assertEquals(healthyFd, out[0].ident()); // the queue closes before the slot is freed
    } finally {
      FileDescriptors.close(failingFd);
      FileDescriptors.close(healthyFd);
    }
  }

  /**
   * The portable {@code EVFILT_VNODE} source: its one {@code kqueue4j-vnode-poll} thread polls
   * every object it watches in the JVM (here through knotes of a test filter, as the inotify source
   * is the one {@code EVFILT_VNODE} uses).
   */
  @Test
  void polling_vnode_thread_logs_the_error_and_keeps_serving() throws Exception {
    PollingVnodeSource polling = PollingVnodeSource.instance();
    Throwable why = polling.unavailabilityCause();
    assumeTrue(why == null, () -> "the polling vnode source cannot run here: " + why);
    Path failing = Files.writeString(dir.resolve("failing"), "x");
    Path healthy = Files.writeString(dir.resolve("healthy"), "x");
    int failingFd = FileDescriptors.open(failing);
    int healthyFd = FileDescriptors.open(healthy);
    VnodeListFilter filter = new VnodeListFilter(polling, failingFd);
    try (FilterSlot slot = FilterSlot.install(filter);
        KQueue kq = KQueue.emulated()) {
      kq.kevent(new KEvent[] {
        KEvent.of(failingFd, slot.filter, EV_ADD | EV_CLEAR, 0, 0, null),
        KEvent.of(healthyFd, slot.filter, EV_ADD | EV_CLEAR, 0, 0, null)}, null, Duration.ZERO);
      filter.armed.set(true);
      Files.writeString(failing, "yy");
      awaitLogged("Vnode post on kqueue4j-vnode-poll");
      Files.writeString(healthy, "yy");
      KEvent[] out = new KEvent[1];
      assertEquals(1, kq.kevent(null, out, WAIT), "the polling thread still serves other files");
      assertEquals(healthyFd, out[0].ident()); // the queue closes before the slot is freed
    } finally {
      FileDescriptors.close(failingFd);
      FileDescriptors.close(healthyFd);
    }
  }

  /**
   * The timer thread hands the error to its uncaught-exception handler, which prints it, and keeps
   * serving timers. In a child JVM, so that a regression that lets the error end the thread cannot
   * take surefire's fork with it; on a private service, as the shared {@code kqueue4j-timer}
   * thread would be gone for good.
   */
  @Test
  void timer_thread_reports_the_error_and_keeps_serving() throws Exception {
    String output = OomInSourceThreadMain.run("timer");
    assertTrue(output.contains("Exception in thread \"" + OomInSourceThreadMain.TIMER_THREAD
        + "\" java.lang.OutOfMemoryError: injected in TimerClock"), output);
    assertTrue(output.contains("timer source serves after the error: true"), output);
  }

  /** Likewise for the pidfd thread, with the error thrown by an exit listener. */
  @Test
  void pidfd_thread_reports_the_error_and_keeps_serving() throws Exception {
    assumeTrue(new PidFdProcessExitSource().isAvailable(), "needs pidfd_open");
    String output = OomInSourceThreadMain.run("pidfd");
    assertTrue(output.contains("Exception in thread \"kqueue4j-pidfd\""
        + " java.lang.OutOfMemoryError: injected in ExitListener"), output);
    assertTrue(output.contains("pidfd source serves after the error: true"), output);
  }

  /** Records the exits and losses a process-event subscriber is told of. */
  private static class ExitRecorder implements ProcessEventListener {
    final Queue<Long> exited = new ConcurrentLinkedQueue<>();
    final AtomicBoolean lost = new AtomicBoolean();

    @Override
    public void forked(long parent, long child) {}

    @Override
    public void executed(long pid) {}

    @Override
    public void exited(long pid, int waitStatus) {
      exited.add(pid);
    }

    @Override
    public void lost() {
      lost.set(true);
    }
  }

  /**
   * The process-event connector's reader hands a listener's error to its uncaught-exception handler
   * and goes on serving every subscriber: one that subscribed before the error still hears of an
   * exit after it, and is not told of a loss. A private source, whose reader thread is started by
   * the first subscription from a thread of an {@link UncaughtRecorder}, which receives what
   * reaches the handler.
   */
  @Test
  void proc_connector_thread_reports_the_error_and_keeps_serving() throws Exception {
    ProcConnectorEventSource source = new ProcConnectorEventSource();
    assumeTrue(source.isAvailable(),
        () -> "no process-event connector here: " + source.unavailabilityCause());
    Process first = new ProcessBuilder("sleep", "600").start();
    AtomicBoolean armed = new AtomicBoolean(true);
    ExitRecorder failing = new ExitRecorder() {
      @Override
      public void exited(long pid, int waitStatus) {
        if (pid == first.pid() && armed.getAndSet(false)) {
          throw injected("ProcessEventListener");
        }
      }
    };
    ExitRecorder healthy = new ExitRecorder();
    UncaughtRecorder uncaught = new UncaughtRecorder();
    List<Subscription> subscriptions = uncaught.call(() -> subscribe(source, failing, healthy));
    try {
      first.destroy();
      await().atMost(WAIT).until(() -> !uncaught.errors.isEmpty());
      assertTrue(uncaught.saw("injected in ProcessEventListener on kqueue4j-proc-connector"),
          uncaught.errors.toString());
      Process second = new ProcessBuilder("sleep", "600").start();
      second.destroy();
      await().atMost(WAIT).until(() -> healthy.exited.contains(second.pid()));
      assertFalse(healthy.lost.get(), "no loss was reported to the other subscriber");
      assertEquals(1, uncaught.errors.size(), uncaught.errors.toString());
    } finally {
      first.destroyForcibly();
      subscriptions.forEach(Subscription::cancel);
    }
  }

  /**
   * Subscribes each listener; skips the test, with the kernel's reason, when the connector refuses
   * this process.
   */
  private static List<Subscription> subscribe(ProcConnectorEventSource source,
      ProcessEventListener... listeners) {
    List<Subscription> subscriptions = new ArrayList<>();
    try {
      for (ProcessEventListener listener : listeners) {
        subscriptions.add(source.subscribe(listener));
      }
    } catch (KQueueException e) {
      subscriptions.forEach(Subscription::cancel);
      Assumptions.abort("the process-event connector refuses this process: " + e.getMessage());
    }
    return subscriptions;
  }

  /**
   * A thread group that records the errors its threads do not catch, and those of the threads they
   * start; a source thread started from one of its threads reports there rather than to surefire,
   * whose handler ends the test JVM on an {@link OutOfMemoryError}.
   */
  private static final class UncaughtRecorder extends ThreadGroup {
    final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();

    UncaughtRecorder() {
      super("source-thread-oom");
    }

    @Override
    public void uncaughtException(Thread t, Throwable e) {
      errors.add(e);
    }

    /** Whether an error recorded, or one of its causes, has exactly this message. */
    boolean saw(String message) {
      for (Throwable e : errors) {
        for (Throwable c = e; c != null; c = c.getCause()) {
          if (message.equals(c.getMessage())) {
            return true;
          }
        }
      }
      return false;
    }

    /** Runs {@code action} on a new thread of this group and returns its result. */
    <T> T call(Callable<T> action) throws Exception {
      AtomicReference<T> result = new AtomicReference<>();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread thread = new Thread(this, () -> {
        try {
          result.set(action.call());
        } catch (Exception | Error e) {
          failure.set(e);
        }
      }, "source-thread-oom-starter");
      thread.start();
      thread.join();
      Throwable e = failure.get();
      if (e instanceof Exception x) {
        throw x;
      }
      if (e instanceof Error x) {
        throw x;
      }
      return result.get();
    }
  }
}
