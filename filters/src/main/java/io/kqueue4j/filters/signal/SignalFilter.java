package io.kqueue4j.filters.signal;

import static io.kqueue4j.KEvent.EV_CLEAR;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.KNote;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code EVFILT_SIGNAL}: deliveries of a signal to this JVM; see {@code filt_sigattach} and {@code
 * filt_signal} in FreeBSD's {@code kern_sig.c}, whose behaviour this follows.
 *
 * <ul>
 *   <li>{@code ident} is FreeBSD's signal number ({@link Signals}: {@code SIGUSR2} is 31 on every
 *       OS), translated to the OS's signal by name.
 *   <li>{@code data} is the number of deliveries since the last retrieval; {@code EV_CLEAR} is set
 *       automatically, {@code fflags} is 0. Deliveries before the registration do not count.
 *   <li>Any number of knotes, in any number of kqueues, may watch one signal; each counts every
 *       delivery. The JVM's own handlers and the application's keep working (see {@link
 *       JvmSignal} for what is chained and what is not), and the previous handler is restored when
 *       the last knote goes.
 *   <li>Signals the JVM keeps for itself fail with {@code EINVAL} and a message naming them: {@code
 *       SIGKILL}, {@code SIGSTOP}, {@code SIGSEGV}, {@code SIGBUS}, {@code SIGFPE}, {@code SIGILL},
 *       {@code SIGQUIT} (thread dumps), whatever else {@code sun.misc.Signal} refuses ({@code
 *       SIGINT}/{@code SIGTERM}/{@code SIGHUP} under {@code -Xrs}), signals the OS lacks ({@code
 *       SIGINFO}, {@code SIGEMT}, {@code SIGTHR}, {@code SIGLIBRT} on Linux), real-time signals
 *       (the JVM has no names for them) and numbers that are no FreeBSD signal.
 * </ul>
 *
 * <p>Deliberate differences: FreeBSD counts a signal and leaves its disposition alone, so a
 * watched {@code SIGUSR1} with the default action still terminates the process; here a signal
 * whose disposition is the default (terminate, stop, ignore) is caught while watched, counted and
 * otherwise ignored. To keep an ignored signal's disposition, nothing changes; to keep the JVM's
 * shutdown on {@code SIGTERM}, nothing changes either (its handler is chained).
 */
public final class SignalFilter implements FilterOps {

  /** FreeBSD numbers of the signals the JVM keeps, and what it uses each for. */
  private static final Map<Integer, String> RESERVED = Map.of(
      Signals.SIGKILL, "cannot be caught",
      Signals.SIGSTOP, "cannot be caught",
      Signals.SIGSEGV, "the JVM uses it for null checks and safepoints",
      Signals.SIGBUS, "the JVM uses it for faults on mapped files",
      Signals.SIGFPE, "the JVM uses it for integer division checks",
      Signals.SIGILL, "the JVM uses it for implicit checks",
      Signals.SIGQUIT, "the JVM uses it for thread dumps");

  /** The JVM-level signals watched so far, by name; guarded by itself. */
  private final Map<String, JvmSignal> signals = new HashMap<>();

  /** {@code filt_sigattach}. */
  @Override
  public void attach(KNote kn) throws KQueueException {
    long number = kn.ident();
    String reserved = number >= 0 && number <= Integer.MAX_VALUE ? RESERVED.get((int) number) : null;
    if (reserved != null) {
      throw invalid(number, "reserved by the JVM: " + reserved);
    }
    String name = Signals.name(number);
    if (name == null) {
      throw invalid(number, "not a signal number");
    }
    if (number >= Signals.SIGRTMIN) {
      throw invalid(number, "real-time signals cannot be handled through the JVM");
    }
    JvmSignal signal;
    try {
      synchronized (signals) {
        signal = signals.get(name);
        if (signal == null) {
          signal = new JvmSignal(name);
          signals.put(name, signal);
        }
      }
      signal.acquire();
    } catch (IllegalArgumentException refused) { // unknown on this OS, or used by the JVM
      throw invalid(number, "the JVM refuses it: " + refused.getMessage());
    } catch (LinkageError missing) { // no jdk.unsupported in this runtime
      throw new KQueueException("kevent", Errno.EOPNOTSUPP, "EVFILT_SIGNAL ident " + number
          + ": sun.misc.Signal (module jdk.unsupported) is missing: " + missing);
    }
    kn.addFlags(EV_CLEAR);
    kn.setHook(signal);
    signal.knotes.add(kn);
  }

  @Override
  public void detach(KNote kn) {
    JvmSignal signal = (JvmSignal) kn.hook();
    signal.knotes.remove(kn);
    signal.release();
  }

  /** {@code filt_signal}: a delivery adds one to {@code data}. */
  @Override
  public boolean event(KNote kn, long hint) {
    if (hint == JvmSignal.HINT_DELIVERED) {
      kn.setData(kn.data() + 1);
    }
    return kn.data() != 0;
  }

  private static KQueueException invalid(long number, String why) {
    return new KQueueException("kevent", Errno.EINVAL,
        "EVFILT_SIGNAL ident " + number + ": " + Signals.describe(number) + " " + why);
  }

  @Override
  public String toString() {
    return "SignalFilter";
  }
}
