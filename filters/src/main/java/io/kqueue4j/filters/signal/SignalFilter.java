package io.kqueue4j.filters.signal;

import static io.kqueue4j.KEvent.EV_CLEAR;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.KNote;
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
 * shutdown on {@code SIGTERM}, nothing changes either (its handler is chained); to handle {@code
 * SIGTERM} in the program instead, {@link Signals#ignore} it first, as C would with {@code SIG_IGN}.
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

  /** Creates the filter; {@link SignalFilterProvider} installs one for every kqueue. */
  public SignalFilter() {}

  /** {@code filt_sigattach}. */
  @Override
  public void attach(KNote kn) throws KQueueException {
    JvmSignal signal = jvmSignal(kn.ident(), "EVFILT_SIGNAL ident " + kn.ident());
    try {
      signal.acquire();
    } catch (IllegalArgumentException refused) { // used by the JVM, or ignored under nohup
      throw invalid(kn.ident(), "EVFILT_SIGNAL ident " + kn.ident(),
          "the JVM refuses it: " + refused.getMessage());
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

  /**
   * The JVM's signal for FreeBSD signal {@code number}.
   *
   * @param what names the caller's operation in the error, such as {@code EVFILT_SIGNAL ident 9}
   * @throws KQueueException {@code EINVAL} naming why the JVM cannot handle it, {@code EOPNOTSUPP}
   *     without the module {@code jdk.unsupported}
   */
  static JvmSignal jvmSignal(long number, String what) throws KQueueException {
    String reserved = number >= 0 && number <= Integer.MAX_VALUE ? RESERVED.get((int) number) : null;
    if (reserved != null) {
      throw invalid(number, what, "reserved by the JVM: " + reserved);
    }
    String name = Signals.name(number);
    if (name == null) {
      throw invalid(number, what, "not a signal number");
    }
    if (number >= Signals.SIGRTMIN) {
      throw invalid(number, what, "real-time signals cannot be handled through the JVM");
    }
    try {
      return JvmSignal.of(name);
    } catch (IllegalArgumentException refused) { // unknown on this OS
      throw invalid(number, what, "the JVM refuses it: " + refused.getMessage());
    } catch (LinkageError missing) { // no jdk.unsupported in this runtime
      throw new KQueueException("kevent", Errno.EOPNOTSUPP, what
          + ": sun.misc.Signal (module jdk.unsupported) is missing: " + missing);
    }
  }

  static KQueueException invalid(long number, String what, String why) {
    return new KQueueException("kevent", Errno.EINVAL,
        what + ": " + Signals.describe(number) + " " + why);
  }
}
