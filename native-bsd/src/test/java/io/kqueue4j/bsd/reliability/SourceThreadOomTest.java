package io.kqueue4j.bsd.reliability;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.bsd.fsevent.VnodeFsEventSource;
import io.kqueue4j.filters.fsevent.FsEventSink;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatchSpec;
import io.kqueue4j.filters.fsevent.StartupProgress;
import io.kqueue4j.testing.ChildJvm;
import io.kqueue4j.testing.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An {@link OutOfMemoryError} thrown on one of native-bsd's file-system event threads, where it
 * calls code outside itself, is logged at {@code ERROR} with its stack trace, and the thread goes
 * on serving its other watches and the failing one: the {@code kqueue-vnode} source's loop (a
 * sink's {@code event}, and its {@code dropped} when the loop's queue fails a wait), and the {@code
 * EVFILT_FSEVENT} relay (telling a native queue that a watcher has records, through a fake
 * kernel whose {@code kevent} throws).
 */
class SourceThreadOomTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String LOOP_THREAD = "kqueue4j-fsevent-" + VnodeFsEventSource.NAME;

  @TempDir Path dir;
  private LogCapture log;
  /** Closed last first. */
  private final Deque<AutoCloseable> open = new ArrayDeque<>();
  private Path failingDir;
  private Path healthyDir;
  private final Sink failing = new Sink();
  private final Sink healthy = new Sink();
  private final UncaughtRecorder uncaught = new UncaughtRecorder();

  @BeforeEach
  void capture() throws ReflectiveOperationException {
    log = new LogCapture();
  }

  @AfterEach
  void release() throws Exception {
    for (AutoCloseable c; (c = open.pollLast()) != null; ) {
      c.close();
    }
    log.close();
  }

  static OutOfMemoryError injected(String where) {
    return new OutOfMemoryError("injected in " + where + " on " + Thread.currentThread().getName());
  }

  /**
   * Whether {@code text}, as {@code java.util.logging}'s console format shows records, holds one at
   * {@code ERROR} ({@code SEVERE}) with the error injected at {@code where} attached.
   */
  static boolean loggedAtError(String text, String where) {
    return Pattern.compile("SEVERE: [^\\n]*\\R"
        + Pattern.quote("java.lang.OutOfMemoryError: injected in " + where)).matcher(text).find();
  }

  /** Waits until the injected error was logged at {@code ERROR} with its stack trace. */
  private void awaitLogged(String where) {
    await().atMost(WAIT).until(() -> loggedAtError(log.text(), where));
  }

  /**
   * A sink that records the paths of created files; once armed, it throws the injected error for
   * its next record ({@link #failEvent}) or loss report ({@link #failDropped}).
   */
  private static final class Sink implements FsEventSink {
    final AtomicBoolean failEvent = new AtomicBoolean();
    final AtomicBoolean failDropped = new AtomicBoolean();
    final Queue<String> created = new ConcurrentLinkedQueue<>();

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
      if (failEvent.getAndSet(false)) {
        throw injected("FsEventSink.event");
      }
      if (type == FsEventType.CREATE_FILE) {
        created.add(path);
      }
    }

    @Override
    public void dropped() {
      if (failDropped.getAndSet(false)) {
        throw injected("FsEventSink.dropped");
      }
    }

    @Override
    public void rootGone(int root) {}

    @Override
    public void flush() {}
  }

  /**
   * Starts a tree on {@link #failingDir} and one on {@link #healthyDir} on one private {@code
   * kqueue-vnode} source over {@code kqueues}; they share its loop thread, which is started from a
   * thread of an {@link UncaughtRecorder}, so an error escaping it is recorded there.
   */
  private void startTrees(Callable<KQueue> kqueues) throws Exception {
    VnodeFsEventSource source = new VnodeFsEventSource(kqueues);
    Throwable why = source.unavailabilityCause();
    assumeTrue(why == null, () -> "EVFILT_VNODE cannot watch a directory with the descriptors of "
        + "FileDescriptors (support \"" + FileDescriptors.support() + "\"): " + why);
    failingDir = Files.createDirectory(dir.resolve("failing"));
    healthyDir = Files.createDirectory(dir.resolve("healthy"));
    open.add(uncaught.call(() -> source.start(spec(failingDir), failing)));
    open.add(source.start(spec(healthyDir), healthy));
  }

  /** Both trees are still served, and nothing escaped the loop thread. */
  private void assertBothTreesServed() throws Exception {
    Files.writeString(healthyDir.resolve("g"), "x");
    await().atMost(WAIT).until(() -> healthy.created.contains("g"));
    Files.writeString(failingDir.resolve("h"), "x");
    await().atMost(WAIT).until(() -> failing.created.contains("h"));
    assertEquals(List.of(), List.copyOf(uncaught.errors), "nothing escaped the loop");
  }

  /**
   * One tree's sink throws for a record; the other tree's record, written right after (mostly in
   * the same batch), still arrives.
   */
  @Test
  void vnode_loop_logs_a_sink_error_and_keeps_serving() throws Exception {
    startTrees(KQueue::emulated);
    failing.failEvent.set(true);
    Files.writeString(failingDir.resolve("f"), "x");
    Files.writeString(healthyDir.resolve("e"), "x");
    awaitLogged("FsEventSink.event on " + LOOP_THREAD);
    await().atMost(WAIT).until(() -> healthy.created.contains("e"));
    assertBothTreesServed();
  }

  /**
   * The loop's queue fails a wait once, so every tree is told of a loss; one tree's sink throws
   * from that report.
   */
  @Test
  void vnode_loop_logs_a_loss_report_error_and_keeps_serving() throws Exception {
    AtomicBoolean failWait = new AtomicBoolean();
    startTrees(() -> new FailingWait(KQueue.emulated(), failWait));
    failing.failDropped.set(true);
    failWait.set(true);
    Files.writeString(healthyDir.resolve("e"), "x"); // ends the wait under way
    awaitLogged("FsEventSink.dropped on " + LOOP_THREAD);
    assertBothTreesServed();
  }

  private static FsWatchSpec spec(Path root) {
    return new FsWatchSpec(List.of(root), FsEventType.all(), Set.of(), StartupProgress.NONE);
  }

  /**
   * The relay's one thread serves the whole JVM, so the case runs in a child JVM ({@link
   * FsEventRelayOomMain}): a regression that lets the error end the thread then neither silences
   * the relay for the other tests nor takes surefire's fork with it.
   */
  @Test
  void fsevent_relay_logs_a_queue_error_and_keeps_serving() throws Exception {
    ChildJvm child = ChildJvm.run(FsEventRelayOomMain.class);
    assertTrue(loggedAtError(child.stderr(), "kevent on " + FsEventRelayOomMain.RELAY_THREAD),
        child.stderr());
    assertTrue(child.stdout().contains("relay serves the other queue after the error: true"),
        child.stdout() + "\n" + child.stderr());
    assertTrue(child.stdout().contains("relay serves the failing queue after the error: true"),
        child.stdout() + "\n" + child.stderr());
  }

  /** A kqueue whose next wait on the loop's thread, once armed, fails with {@code EIO}. */
  private static final class FailingWait implements KQueue {
    private final KQueue kq;
    private final AtomicBoolean armed;

    FailingWait(KQueue kq, AtomicBoolean armed) {
      this.kq = kq;
      this.armed = armed;
    }

    @Override
    public int kevent(KEvent[] changelist, int nchanges, KEvent[] eventlist, int nevents,
        Duration timeout) throws KQueueException {
      if (nchanges == 0 && Thread.currentThread().getName().equals(LOOP_THREAD)
          && armed.getAndSet(false)) {
        throw new KQueueException("kevent", Errno.EIO, "injected");
      }
      return kq.kevent(changelist, nchanges, eventlist, nevents, timeout);
    }

    @Override
    public int kevent(KEventBuffer changes, KEventBuffer events, long timeoutNanos)
        throws KQueueException {
      return kq.kevent(changes, events, timeoutNanos);
    }

    @Override
    public int fd() throws KQueueException {
      return kq.fd();
    }

    @Override
    public String backend() {
      return kq.backend();
    }

    @Override
    public void close() {
      kq.close();
    }
  }

  /**
   * A thread group that records the errors its threads do not catch, and those of the threads
   * they start: a source thread started from one of its threads reports there.
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

    /** Runs {@code action} on a new thread of this group and returns its result. */
    <T> T call(Callable<T> action) throws Exception {
      AtomicReference<T> result = new AtomicReference<>();
      AtomicReference<Exception> failure = new AtomicReference<>();
      Thread thread = new Thread(this, () -> {
        try {
          result.set(action.call());
        } catch (Exception e) {
          failure.set(e);
        }
      }, "source-thread-oom-starter");
      thread.start();
      thread.join();
      if (failure.get() != null) {
        throw failure.get();
      }
      return result.get();
    }
  }
}
