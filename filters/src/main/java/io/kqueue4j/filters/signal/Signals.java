package io.kqueue4j.filters.signal;

import io.kqueue4j.KQueueException;

/**
 * FreeBSD's signal numbers ({@code <sys/signal.h>}), the idents of {@code EVFILT_SIGNAL} on every
 * OS, with their names; {@link SignalFilter} translates them to the OS's signals by name.
 */
public final class Signals {
  public static final int SIGHUP = 1;
  public static final int SIGINT = 2;
  public static final int SIGQUIT = 3;
  public static final int SIGILL = 4;
  public static final int SIGTRAP = 5;
  public static final int SIGABRT = 6;
  public static final int SIGEMT = 7;
  public static final int SIGFPE = 8;
  public static final int SIGKILL = 9;
  public static final int SIGBUS = 10;
  public static final int SIGSEGV = 11;
  public static final int SIGSYS = 12;
  public static final int SIGPIPE = 13;
  public static final int SIGALRM = 14;
  public static final int SIGTERM = 15;
  public static final int SIGURG = 16;
  public static final int SIGSTOP = 17;
  public static final int SIGTSTP = 18;
  public static final int SIGCONT = 19;
  public static final int SIGCHLD = 20;
  public static final int SIGTTIN = 21;
  public static final int SIGTTOU = 22;
  public static final int SIGIO = 23;
  public static final int SIGXCPU = 24;
  public static final int SIGXFSZ = 25;
  public static final int SIGVTALRM = 26;
  public static final int SIGPROF = 27;
  public static final int SIGWINCH = 28;
  public static final int SIGINFO = 29;
  public static final int SIGUSR1 = 30;
  public static final int SIGUSR2 = 31;
  public static final int SIGTHR = 32;
  public static final int SIGLIBRT = 33;
  public static final int SIGRTMIN = 65;
  public static final int SIGRTMAX = 126;

  /** Names without {@code SIG}, indexed by FreeBSD number, as {@code sun.misc.Signal} takes them. */
  private static final String[] NAMES = {
    null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "EMT", "FPE", "KILL", "BUS", "SEGV", "SYS",
    "PIPE", "ALRM", "TERM", "URG", "STOP", "TSTP", "CONT", "CHLD", "TTIN", "TTOU", "IO", "XCPU",
    "XFSZ", "VTALRM", "PROF", "WINCH", "INFO", "USR1", "USR2", "THR", "LIBRT"
  };

  private Signals() {}

  /**
   * {@code signal(number, SIG_IGN)} for the JVM: from now on the JVM takes no action on the signal
   * (no shutdown on {@code SIGTERM}, {@code SIGINT} or {@code SIGHUP}), while {@code EVFILT_SIGNAL}
   * knotes, present and future, still count every delivery, as they do in C for a signal the
   * program ignores. A program that handles {@code SIGTERM} itself, as a supervisor does, calls
   * this first: otherwise the knote counts the signal and the JVM then shuts down. Stays in force
   * after the last knote goes. Thread-safe.
   *
   * @param number FreeBSD's number of the signal, such as {@link #SIGTERM}
   * @throws KQueueException {@code EINVAL} for a signal the JVM keeps for itself or that this OS
   *     lacks, and for one the process ignores under {@code nohup} (the JVM does not let a handler
   *     replace that), with a message naming the signal and the reason
   */
  public static void ignore(int number) throws KQueueException {
    String what = "Signals.ignore(" + number + ")";
    JvmSignal signal = SignalFilter.jvmSignal(number, what);
    try {
      signal.ignoreInJvm();
    } catch (IllegalArgumentException refused) {
      throw SignalFilter.invalid(number, what, "the JVM refuses it: " + refused.getMessage());
    }
  }

  /**
   * The name of FreeBSD signal {@code number} without {@code SIG} ({@code "USR2"}), {@code
   * "RTMIN+n"} for a real-time signal, or null when FreeBSD has no such signal.
   */
  public static String name(long number) {
    if (number > 0 && number < NAMES.length) {
      return NAMES[(int) number];
    }
    if (number >= SIGRTMIN && number <= SIGRTMAX) {
      return "RTMIN+" + (number - SIGRTMIN);
    }
    return null;
  }

  /** {@code SIGUSR2 (31)}, or {@code signal 0} for a number FreeBSD lacks. */
  static String describe(long number) {
    String name = name(number);
    return name == null ? "signal " + number : "SIG" + name + " (" + number + ")";
  }
}
