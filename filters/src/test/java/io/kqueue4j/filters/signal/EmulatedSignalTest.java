package io.kqueue4j.filters.signal;

import static io.kqueue4j.KEvent.EVFILT_SIGNAL;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@link SignalConformanceTest} on the emulated kernel, plus how the filter lives with the JVM's
 * and the application's own handlers.
 */
class EmulatedSignalTest extends SignalConformanceTest {
  @Override
  protected KQueue newQueue() throws KQueueException {
    return KQueue.emulated();
  }

  @Test
  void applicationHandlerStillRunsAndIsRestoredAfterTheLastKnote() throws Exception {
    Semaphore handled = new Semaphore(0);
    SignalHandler application = sig -> handled.release();
    SignalHandler before = Signal.handle(new Signal("WINCH"), application);
    try {
      add(Signals.SIGWINCH, EVFILT_SIGNAL, EV_ADD, 0, 0, null);
      raise(Signals.SIGWINCH);
      assertEquals(KEvent.of(Signals.SIGWINCH, EVFILT_SIGNAL, EV_CLEAR, 0, 1, null), get(WAIT));
      assertTrue(handled.tryAcquire(10, TimeUnit.SECONDS), "chained to the application's handler");
      add(Signals.SIGWINCH, EVFILT_SIGNAL, EV_DELETE, 0, 0, null);
      SignalHandler current = Signal.handle(new Signal("WINCH"), application);
      assertSame(application, current, "the application's handler is back");
      raise(Signals.SIGWINCH);
      assertTrue(handled.tryAcquire(10, TimeUnit.SECONDS));
    } finally {
      Signal.handle(new Signal("WINCH"), before);
    }
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void freeBsdOnlySignalsAreEinvalOnLinux() {
    for (int number : new int[] {Signals.SIGINFO, Signals.SIGEMT, Signals.SIGTHR, Signals.SIGLIBRT,
        Signals.SIGRTMIN}) {
      KQueueException e = assertThrows(KQueueException.class,
          () -> add(number, EVFILT_SIGNAL, EV_ADD, 0, 0, null));
      assertEquals(Errno.EINVAL, e.errno());
      assertTrue(e.getMessage().contains("SIG" + Signals.name(number)), e.getMessage());
    }
  }

  /**
   * The JVM will not put a handler over an ignored {@code SIGHUP} (its rule for {@code nohup}), so
   * the knote could never fire: registration says so instead of accepting it.
   */
  @Test
  void ignoredShutdownSignalIsEinvalWithTheReason() {
    SignalHandler before = Signal.handle(new Signal("HUP"), SignalHandler.SIG_IGN);
    try {
      KQueueException e = assertThrows(KQueueException.class,
          () -> add(Signals.SIGHUP, EVFILT_SIGNAL, EV_ADD, 0, 0, null));
      assertEquals(Errno.EINVAL, e.errno());
      assertTrue(e.getMessage().contains("nohup"), e.getMessage());
      assertSame(SignalHandler.SIG_IGN, Signal.handle(new Signal("HUP"), SignalHandler.SIG_IGN),
          "the disposition is left as it was");
    } finally {
      Signal.handle(new Signal("HUP"), before);
    }
  }

  /**
   * Watching {@code SIGTERM} keeps the JVM's shutdown on it: a child JVM that watches it still
   * exits with 128 + 15 when sent one, and its knote counted the signal first.
   */
  @Test
  @EnabledOnOs(OS.LINUX)
  void watchingSigtermKeepsTheJvmShutdown() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    Process child = new ProcessBuilder(java, "-cp", classpath, SigtermWatcher.class.getName())
        .redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    assertEquals("ready", out.readLine());
    child.toHandle().destroy(); // SIGTERM
    assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    assertEquals(128 + 15, child.exitValue());
    assertEquals("pending at shutdown: SIGTERM data 1", out.readLine());
  }

  /**
   * After {@link Signals#ignore} the JVM no longer shuts down on {@code SIGTERM}, and knotes count
   * it, the one registered before the call as well as one registered after; the child then exits
   * by itself with 0.
   */
  @Test
  @EnabledOnOs(OS.LINUX)
  void ignoredSigtermIsCountedAndTheJvmLivesOn() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    Process child = new ProcessBuilder(java, "-cp", classpath, SigtermHandler.class.getName())
        .redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    assertEquals("ready", out.readLine());
    child.toHandle().destroy(); // SIGTERM
    assertEquals("first queue: SIGTERM data 1", out.readLine());
    assertEquals("second queue: SIGTERM data 1", out.readLine());
    assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, child.exitValue(), "the child ended by itself, not by the JVM's shutdown");
  }

  @Test
  void ignoringASignalTheJvmKeepsIsEinvalNamingIt() {
    KQueueException e = assertThrows(KQueueException.class, () -> Signals.ignore(Signals.SIGSEGV));
    assertEquals(Errno.EINVAL, e.errno());
    assertTrue(e.getMessage().contains("SIGSEGV") && e.getMessage().contains("reserved"),
        e.getMessage());
    e = assertThrows(KQueueException.class, () -> Signals.ignore(0));
    assertEquals(Errno.EINVAL, e.errno());
  }

  /** The child of {@link #ignoredSigtermIsCountedAndTheJvmLivesOn}. */
  public static final class SigtermHandler {
    public static void main(String[] args) throws Exception {
      KQueue before = KQueue.emulated();
      KQueue after = KQueue.emulated();
      KEvent watch = KEvent.of(Signals.SIGTERM, EVFILT_SIGNAL, EV_ADD, 0, 0, null);
      before.kevent(new KEvent[] {watch}, null, Duration.ZERO);
      Signals.ignore(Signals.SIGTERM);
      after.kevent(new KEvent[] {watch}, null, Duration.ZERO);
      System.out.println("ready");
      System.out.flush();
      KEvent[] events = new KEvent[1];
      before.kevent(null, events, Duration.ofSeconds(20));
      System.out.println("first queue: SIGTERM data " + events[0].data());
      after.kevent(null, events, Duration.ofSeconds(20));
      System.out.println("second queue: SIGTERM data " + events[0].data());
      System.out.flush();
    }
  }

  /** The child of {@link #watchingSigtermKeepsTheJvmShutdown}. */
  public static final class SigtermWatcher {
    public static void main(String[] args) throws Exception {
      KQueue kq = KQueue.emulated();
      kq.kevent(new KEvent[] {KEvent.of(Signals.SIGTERM, EVFILT_SIGNAL, EV_ADD, 0, 0, null)}, null,
          Duration.ZERO);
      // the knote counts before the handler chains to the JVM's, whose shutdown runs this hook
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          KEvent[] events = new KEvent[1];
          int n = kq.kevent(null, events, Duration.ZERO);
          System.out.println(n == 1
              ? "pending at shutdown: SIGTERM data " + events[0].data() : "nothing pending");
        } catch (KQueueException e) {
          System.out.println(e);
        }
        System.out.flush();
      }));
      System.out.println("ready");
      System.out.flush();
      Thread.sleep(30_000); // the JVM's shutdown ends this
    }
  }
}
