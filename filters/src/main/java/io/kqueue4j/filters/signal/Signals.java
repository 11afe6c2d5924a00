package io.kqueue4j.filters.signal;

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
