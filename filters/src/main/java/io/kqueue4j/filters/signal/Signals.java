package io.kqueue4j.filters.signal;

import io.kqueue4j.KQueueException;

/**
 * FreeBSD's signal numbers ({@code <sys/signal.h>}), the idents of {@code EVFILT_SIGNAL} on every
 * OS, with their names; {@link SignalFilter} translates them to the OS's signals by name.
 */
public final class Signals {
  /** Hangup: the controlling terminal closed; daemons take it as "reload". */
  public static final int SIGHUP = 1;
  /** Interrupt from the terminal (Ctrl-C). */
  public static final int SIGINT = 2;
  /** Quit from the terminal (Ctrl-\); HotSpot takes it for its thread dump. */
  public static final int SIGQUIT = 3;
  /** Illegal instruction. */
  public static final int SIGILL = 4;
  /** Trace trap. */
  public static final int SIGTRAP = 5;
  /** {@code abort()}. */
  public static final int SIGABRT = 6;
  /** EMT instruction; FreeBSD and macOS only (no Linux counterpart on x86 or ARM). */
  public static final int SIGEMT = 7;
  /** Floating-point (arithmetic) exception. */
  public static final int SIGFPE = 8;
  /** Kill; cannot be caught or ignored. */
  public static final int SIGKILL = 9;
  /** Bus error; 7 on Linux. */
  public static final int SIGBUS = 10;
  /** Segmentation violation. */
  public static final int SIGSEGV = 11;
  /** Nonexistent system call invoked; 31 on Linux. */
  public static final int SIGSYS = 12;
  /** Write on a pipe or socket with no one to read it. */
  public static final int SIGPIPE = 13;
  /** Alarm clock ({@code alarm}, {@code ITIMER_REAL}). */
  public static final int SIGALRM = 14;
  /** Software termination signal, the default of {@code kill}. */
  public static final int SIGTERM = 15;
  /** Urgent condition on a socket (out-of-band data); 23 on Linux. */
  public static final int SIGURG = 16;
  /** Stop, not from a terminal; cannot be caught or ignored; 19 on Linux. */
  public static final int SIGSTOP = 17;
  /** Stop from the terminal (Ctrl-Z); 20 on Linux. */
  public static final int SIGTSTP = 18;
  /** Continue a stopped process; 18 on Linux. */
  public static final int SIGCONT = 19;
  /** To the parent when a child stops or exits; 17 on Linux. */
  public static final int SIGCHLD = 20;
  /** To a background process group reading from its terminal. */
  public static final int SIGTTIN = 21;
  /** To a background process group writing to its terminal, under {@code TOSTOP}. */
  public static final int SIGTTOU = 22;
  /** Input or output possible on a descriptor ({@code O_ASYNC}); 29 on Linux. */
  public static final int SIGIO = 23;
  /** CPU time limit ({@code RLIMIT_CPU}) exceeded. */
  public static final int SIGXCPU = 24;
  /** File size limit ({@code RLIMIT_FSIZE}) exceeded. */
  public static final int SIGXFSZ = 25;
  /** Virtual time alarm ({@code ITIMER_VIRTUAL}). */
  public static final int SIGVTALRM = 26;
  /** Profiling time alarm ({@code ITIMER_PROF}). */
  public static final int SIGPROF = 27;
  /** Window size change of the terminal. */
  public static final int SIGWINCH = 28;
  /** Information request from the terminal (Ctrl-T); FreeBSD and macOS only. */
  public static final int SIGINFO = 29;
  /** User-defined signal 1; 10 on Linux. */
  public static final int SIGUSR1 = 30;
  /** User-defined signal 2; 12 on Linux. */
  public static final int SIGUSR2 = 31;
  /** Reserved by FreeBSD's thread library; FreeBSD only. */
  public static final int SIGTHR = 32;
  /** Reserved by FreeBSD's real-time library; FreeBSD only. */
  public static final int SIGLIBRT = 33;
  /** The first real-time signal; 34 with glibc on Linux; macOS has no real-time signals. */
  public static final int SIGRTMIN = 65;
  /** The last real-time signal; 64 on Linux. */
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
   *
   * @param number FreeBSD's number of the signal
   * @return the name without {@code SIG}, or {@code null}
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
