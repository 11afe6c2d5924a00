package io.kqueue4j.filters.signal;

import static io.kqueue4j.KEvent.EVFILT_SIGNAL;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.EV_DISABLE;
import static io.kqueue4j.KEvent.EV_DISPATCH;
import static io.kqueue4j.KEvent.EV_ENABLE;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.conformance.KQueueTestSupport;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code EVFILT_SIGNAL} after FreeBSD's {@code tests/sys/kqueue/libkqueue/signal.c}, with real
 * signals sent to this JVM by {@code kill(1)}, written against the public API so that every
 * backend runs it. As the C tests do, {@code SIGUSR1} is ignored first ({@code signal(SIGUSR1,
 * SIG_IGN)}), so that a signal no knote counts cannot end the test JVM. Idents are FreeBSD's
 * numbers ({@link Signals}) on every OS.
 *
 * <p>Whether a signal was delivered is learnt from a second queue watching the same signal (the
 * witness), so "no event" is checked only after the signal is known to have arrived.
 */
@DisabledOnOs(OS.WINDOWS)
public abstract class SignalConformanceTest extends KQueueTestSupport {
  protected static final Duration WAIT = Duration.ofSeconds(10);

  private SignalHandler usr1Before;
  protected KQueue witness;

  @BeforeEach
  void ignoreSigusr1AndOpenWitness() throws KQueueException {
    usr1Before = Signal.handle(new Signal("USR1"), SignalHandler.SIG_IGN);
    witness = newQueue();
  }

  @AfterEach
  void restoreSigusr1() {
    witness.close();
    Signal.handle(new Signal("USR1"), usr1Before);
  }

  /** {@code kill -s NAME <this pid>}: sends FreeBSD signal {@code number} to this JVM. */
  protected static void raise(int number) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-s", Signals.name(number),
        Long.toString(ProcessHandle.current().pid())).inheritIO().start();
    assertEquals(0, kill.waitFor(), "kill -s " + Signals.name(number));
  }

  /** Sends {@code number} and waits until the witness has counted it. */
  protected void raiseAndWitness(int number) throws Exception {
    raise(number);
    KEvent[] out = new KEvent[1];
    assertEquals(1, witness.kevent(null, out, WAIT), "the witness saw " + Signals.name(number));
    assertEquals(number, out[0].ident());
  }

  protected void watchWithWitness(int number) throws KQueueException {
    witness.kevent(new KEvent[] {KEvent.of(number, EVFILT_SIGNAL, EV_ADD, 0, 0, null)}, null,
        Duration.ZERO);
  }

  private static KEvent signal(int number, int flags, long data) {
    return KEvent.of(number, EVFILT_SIGNAL, flags, 0, data, null);
  }

  @Test
  @DisplayName("test_kevent_signal_add")
  void testKeventSignalAdd() throws KQueueException {
    add(Signals.SIGUSR1, EVFILT_SIGNAL, EV_ADD, 0, 0, null);
    assertNoEvents();
  }

  @Test
  @DisplayName("test_kevent_signal_get")
  void testKeventSignalGet() throws Exception {
    add(Signals.SIGUSR1, EVFILT_SIGNAL, EV_ADD, 0, 0, null);
    raise(Signals.SIGUSR1);
    assertEquals(signal(Signals.SIGUSR1, EV_CLEAR, 1), get(WAIT));
    assertNoEvents();
  }

  @Test
  @DisplayName("test_kevent_signal_disable and test_kevent_signal_enable")
  void testKeventSignalDisableThenEnable() throws Exception {
    watchWithWitness(Signals.SIGUSR1);
    add(Signals.SIGUSR1, EVFILT_SIGNAL, EV_ADD, 0, 0, null);
    add(Signals.SIGUSR1, EVFILT_SIGNAL, EV_DISABLE, 0, 0, null);
    raiseAndWitness(Signals.SIGUSR1);
    assertNoEvents();
    add(Signals.SIGUSR1, EVFILT_SIGNAL, EV_ENABLE, 0, 0, null);
    raiseAndWitness(Signals.SIGUSR1);
    // one extra from the disabled period, as FreeBSD's test expects
    assertEquals(signal(Signals.SIGUSR1, EV_CLEAR, 2), get(Duration.ZERO));
  }

  @Test
  @DisplayName("test_kevent_signal_del")
  void testKeventSignalDel() throws Exception {
    watchWithWitness(Signals.SIGUSR1);
    add(Signals.SIGUSR1, EVFILT_SIGNAL, EV_ADD, 0, 0, null);
    add(Signals.SIGUSR1, EVFILT_SIGNAL, EV_DELETE, 0, 0, null);
    raiseAndWitness(Signals.SIGUSR1);
    assertNoEvents();
  }

  @Test
  @DisplayName("test_kevent_signal_oneshot")
  void testKeventSignalOneshot() throws Exception {
    watchWithWitness(Signals.SIGUSR1);
    add(Signals.SIGUSR1, EVFILT_SIGNAL, EV_ADD | EV_ONESHOT, 0, 0, null);
    raiseAndWitness(Signals.SIGUSR1);
    assertEquals(signal(Signals.SIGUSR1, EV_CLEAR | EV_ONESHOT, 1), get(Duration.ZERO));
    raiseAndWitness(Signals.SIGUSR1);
    assertNoEvents();
  }

  @Test
  @DisplayName("test_kevent_signal_dispatch")
  void testKeventSignalDispatch() throws Exception {
    watchWithWitness(Signals.SIGUSR1);
    add(Signals.SIGUSR1, EVFILT_SIGNAL, EV_ADD | EV_DISPATCH, 0, 0, null);
    raiseAndWitness(Signals.SIGUSR1);
    assertEquals(signal(Signals.SIGUSR1, EV_CLEAR | EV_DISPATCH, 1), get(Duration.ZERO));
    raiseAndWitness(Signals.SIGUSR1);
    assertNoEvents();
    add(Signals.SIGUSR1, EVFILT_SIGNAL, EV_ENABLE, 0, 0, null);
    assertEquals(signal(Signals.SIGUSR1, EV_CLEAR | EV_DISPATCH, 1), get(Duration.ZERO));
  }

  @Test
  void countsEveryDeliverySinceTheLastRetrieval() throws Exception {
    watchWithWitness(Signals.SIGUSR1);
    add(Signals.SIGUSR1, EVFILT_SIGNAL, EV_ADD, 0, 0, null);
    for (int i = 0; i < 3; i++) {
      raiseAndWitness(Signals.SIGUSR1);
    }
    assertEquals(signal(Signals.SIGUSR1, EV_CLEAR, 3), get(Duration.ZERO));
    raiseAndWitness(Signals.SIGUSR1);
    assertEquals(signal(Signals.SIGUSR1, EV_CLEAR, 1), get(Duration.ZERO));
  }

  @Test
  void severalQueuesWatchingOneSignalEachCountIt() throws Exception {
    try (KQueue third = newQueue()) {
      add(Signals.SIGUSR1, EVFILT_SIGNAL, EV_ADD, 0, 0, "first");
      third.kevent(new KEvent[] {KEvent.of(Signals.SIGUSR1, EVFILT_SIGNAL, EV_ADD, 0, 0, "third")},
          null, Duration.ZERO);
      raise(Signals.SIGUSR1);
      assertEquals(KEvent.of(Signals.SIGUSR1, EVFILT_SIGNAL, EV_CLEAR, 0, 1, "first"), get(WAIT));
      KEvent[] out = new KEvent[1];
      assertEquals(1, third.kevent(null, out, WAIT));
      assertEquals(KEvent.of(Signals.SIGUSR1, EVFILT_SIGNAL, EV_CLEAR, 0, 1, "third"), out[0]);
    }
  }

  /** {@code SIGHUP} goes to a do-nothing handler first, as the JVM's would end the test JVM. */
  @Test
  void sigusr2SighupAndSigwinch() throws Exception {
    SignalHandler hupBefore = Signal.handle(new Signal("HUP"), sig -> { });
    try {
      for (int number : new int[] {Signals.SIGUSR2, Signals.SIGHUP, Signals.SIGWINCH}) {
        add(number, EVFILT_SIGNAL, EV_ADD, 0, 0, null);
        raise(number);
        assertEquals(signal(number, EV_CLEAR, 1), get(WAIT), Signals.name(number));
        add(number, EVFILT_SIGNAL, EV_DELETE, 0, 0, null);
      }
    } finally {
      Signal.handle(new Signal("HUP"), hupBefore);
    }
  }

  @Test
  void signalsTheJvmKeepsAreEinvalNamingThem() {
    int[] reserved = {Signals.SIGKILL, Signals.SIGSTOP, Signals.SIGSEGV, Signals.SIGBUS,
        Signals.SIGFPE, Signals.SIGILL, Signals.SIGQUIT};
    for (int number : reserved) {
      KQueueException e = assertThrows(KQueueException.class,
          () -> add(number, EVFILT_SIGNAL, EV_ADD, 0, 0, null));
      assertEquals(Errno.EINVAL, e.errno());
      assertTrue(e.getMessage().contains("SIG" + Signals.name(number)), e.getMessage());
    }
  }

  @Test
  void numbersThatAreNoSignalAreEinval() throws KQueueException {
    for (long number : new long[] {0, -1, 34, 64, Signals.SIGRTMAX + 1, 1L << 40}) {
      KEvent error = change(number, EVFILT_SIGNAL, EV_ADD, 0, 0, null);
      assertEquals(Errno.EINVAL, error.data(), "signal " + number);
    }
  }
}
