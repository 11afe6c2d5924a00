package io.kqueue4j.linux.reliability;

import static io.kqueue4j.KEvent.EVFILT_READ;
import static io.kqueue4j.KEvent.EVFILT_VNODE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.NOTE_WRITE;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.descriptor.DescriptorWatch;
import io.kqueue4j.filters.descriptor.ReadinessListener;
import io.kqueue4j.filters.descriptor.ReadinessSources;
import io.kqueue4j.filters.fsevent.FsEventSink;
import io.kqueue4j.filters.fsevent.FsEventSources;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatch;
import io.kqueue4j.filters.fsevent.FsWatchSpec;
import io.kqueue4j.filters.fsevent.FsWatcher;
import io.kqueue4j.filters.fsevent.StartupProgress;
import io.kqueue4j.filters.vnode.Vnode;
import io.kqueue4j.filters.vnode.VnodeSources;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.KNote;
import io.kqueue4j.linux.LibC;
import io.kqueue4j.linux.proc.PidFdProcessExitSource;
import io.kqueue4j.testing.FilterSlot;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * An {@link OutOfMemoryError} thrown on a source's own thread is reported, not swallowed, and the
 * source keeps serving its other watches: the error is either logged at {@code ERROR} with the
 * error attached or handed to the thread's uncaught-exception handler. It is injected where each
 * source calls code outside itself on its thread: a readiness listener (epoll thread), an {@link
 * FsEventSink} (fsevent loop), a filter's {@code event} on a {@link Vnode}'s list (vnode inotify
 * thread), a {@code TimerClock} (a private timer thread) and an exit listener (a private pidfd
 * thread); the last two run in a child JVM ({@link OomInSourceThreadMain}), so that a regression
 * that lets the error end the thread cannot take surefire's fork with it.
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
   * java.util.logging}) with its stack trace.
   */
  private void awaitLogged(String where) {
    String error = "java.lang.OutOfMemoryError: injected in " + where;
    await().atMost(WAIT).until(() -> log.text().contains("SEVERE: ")
        && log.text().contains(error));
  }

  @Test
  void epoll_thread_logs_the_error_and_keeps_serving() throws Exception {
    assumeTrue(ReadinessSources.activeName().equals("linux-epoll"), "needs the epoll source");
    int[] pipe = FileDescriptors.pipe();
    int[] other = FileDescriptors.pipe();
    AtomicBoolean armed = new AtomicBoolean(true);
    DescriptorWatch watch = ReadinessSources.active().watch(pipe[0], new ReadinessListener() {
      @Override
      public void readReady(long hint) {
        if (armed.getAndSet(false)) {
          throw injected("readReady");
        }
      }

      @Override
      public void writeReady(long hint) {}
    });
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

  @Test
  void fsevent_thread_logs_the_error_and_keeps_serving() throws Exception {
    assumeTrue(FsEventSources.named("linux-inotify") != null, "needs the inotify fsevent source");
    Path failing = Files.createDirectory(dir.resolve("failing"));
    Path healthy = Files.createDirectory(dir.resolve("healthy"));
    AtomicBoolean armed = new AtomicBoolean(true);
    FsEventSink sink = new FsEventSink() {
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
      }

      @Override
      public void dropped() {}

      @Override
      public void rootGone(int root) {}

      @Override
      public void flush() {}
    };
    FsWatch watch = FsEventSources.named("linux-inotify").start(new FsWatchSpec(List.of(failing),
        FsEventType.all(), Set.of(), StartupProgress.NONE), sink);
    try (FsWatcher w = FsWatcher.builder().root(healthy).source("linux-inotify").build()) {
      Files.writeString(failing.resolve("f"), "x");
      awaitLogged("FsEventSink.event");
      Files.writeString(healthy.resolve("g"), "x");
      await().atMost(WAIT).until(() -> {
        for (var e = w.poll(); e != null; e = w.poll()) {
          if (e.type() == FsEventType.CREATE_FILE && e.path().equals(Path.of("g"))) {
            return true;
          }
        }
        return false;
      });
    } finally {
      watch.close();
    }
  }

  /** A filter whose knotes sit on a {@link Vnode}'s list; {@code event} throws once when armed. */
  static final class VnodeListFilter implements FilterOps {
    final AtomicBoolean armed = new AtomicBoolean();

    @Override
    public boolean isFd() {
      return true;
    }

    @Override
    public void attach(KNote kn) throws KQueueException {
      Vnode vnode = VnodeSources.active().acquire((int) kn.ident(), NOTE_WRITE);
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
      if (hint != 0 && armed.getAndSet(false)) {
        throw injected("Vnode post");
      }
      return false;
    }
  }

  @Test
  void vnode_thread_logs_the_error_and_keeps_serving() throws Exception {
    assumeTrue(VnodeSources.activeName().equals("linux-inotify"), "needs the inotify vnode source");
    Path failing = Files.writeString(dir.resolve("failing"), "x");
    Path healthy = Files.writeString(dir.resolve("healthy"), "x");
    int failingFd = FileDescriptors.open(failing);
    int healthyFd = FileDescriptors.open(healthy);
    VnodeListFilter filter = new VnodeListFilter();
    try (FilterSlot slot = FilterSlot.install(filter);
        KQueue kq = KQueue.emulated()) {
      kq.kevent(new KEvent[] {
        KEvent.of(failingFd, slot.filter, EV_ADD, 0, 0, null),
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
}
