package io.kqueue4j.linux.reliability;

import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_ONESHOT;

import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.filters.spi.ProcessExitSource;
import io.kqueue4j.filters.timer.TimerClock;
import io.kqueue4j.filters.timer.TimerFilter;
import io.kqueue4j.filters.timer.TimerService;
import io.kqueue4j.linux.proc.PidFdProcessExitSource;
import io.kqueue4j.testing.FilterSlot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Child JVM for {@link SourceThreadOomTest}: injects an {@link OutOfMemoryError} into a source
 * thread that hands it to the uncaught-exception handler, then prints whether the source still
 * serves a new watch ({@code "serves after the error: true"} or {@code false}). The JVM's default
 * handler prints the error to stderr.
 */
public final class OomInSourceThreadMain {
  static final String TIMER_THREAD = "kqueue4j-timer-oom";
  private static final Duration WAIT = Duration.ofSeconds(10);
  /** How long a source that may be dead gets to report the new watch. */
  private static final Duration AFTER = Duration.ofSeconds(3);

  private OomInSourceThreadMain() {}

  /**
   * Runs this class in a child JVM on the test class path.
   *
   * @param source {@code "timer"} or {@code "pidfd"}
   * @return the child's stdout and stderr, merged
   */
  static String run(String source) throws Exception {
    String classPath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    Process child = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", classPath, OomInSourceThreadMain.class.getName(), source)
        .redirectErrorStream(true)
        .start();
    byte[] err = child.getInputStream().readAllBytes();
    if (!child.waitFor(60, TimeUnit.SECONDS)) {
      child.destroyForcibly();
      throw new AssertionError("the child JVM did not finish");
    }
    String stderr = new String(err, StandardCharsets.UTF_8);
    if (child.exitValue() != 0) {
      throw new AssertionError("the child JVM exited with " + child.exitValue() + ":\n" + stderr);
    }
    return stderr;
  }

  /**
   * Injects the error into the named source's thread and reports whether the source serves on.
   *
   * @param args {@code timer} or {@code pidfd}
   */
  public static void main(String[] args) throws Exception {
    boolean serves = switch (args[0]) {
      case "timer" -> timer();
      case "pidfd" -> pidfd();
      default -> throw new IllegalArgumentException(args[0]);
    };
    System.out.println("[reliability] " + args[0] + " source serves after the error: " + serves);
  }

  private static boolean timer() throws Exception {
    AtomicBoolean armed = new AtomicBoolean();
    TimerClock clock = new TimerClock() {
      @Override
      public long nanoTime() {
        if (Thread.currentThread().getName().equals(TIMER_THREAD) && armed.getAndSet(false)) {
          throw SourceThreadOomTest.injected("TimerClock");
        }
        return System.nanoTime();
      }

      @Override
      public long wallClockNanos() {
        return TimerClock.system().wallClockNanos();
      }
    };
    try (FilterSlot slot =
            FilterSlot.install(new TimerFilter(TimerService.threaded(clock, TIMER_THREAD)));
        KQueue kq = KQueue.emulated()) {
      KEvent[] out = new KEvent[1];
      kq.kevent(new KEvent[] {KEvent.of(1, slot.filter, EV_ADD | EV_ONESHOT, 0, 1, null)}, null,
          Duration.ZERO);
      if (kq.kevent(null, out, WAIT) != 1) {
        throw new AssertionError("the private timer thread does not run");
      }
      armed.set(true);
      kq.kevent(new KEvent[] {KEvent.of(2, slot.filter, EV_ADD | EV_ONESHOT, 0, 1, null)}, null,
          Duration.ZERO);
      return kq.kevent(null, out, AFTER) == 1; // the queue closes before the slot is freed
    }
  }

  private static boolean pidfd() throws Exception {
    ProcessExitSource source = new PidFdProcessExitSource();
    Process first = new ProcessBuilder("sleep", "600").start();
    CountDownLatch thrown = new CountDownLatch(1);
    source.watch(first.pid(), status -> {
      thrown.countDown();
      throw SourceThreadOomTest.injected("ExitListener");
    });
    first.destroy();
    if (!thrown.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError("the exit listener was not called");
    }
    Process second = new ProcessBuilder("sleep", "600").start();
    CountDownLatch reported = new CountDownLatch(1);
    source.watch(second.pid(), status -> reported.countDown());
    second.destroy();
    return reported.await(AFTER.toSeconds(), TimeUnit.SECONDS);
  }
}
