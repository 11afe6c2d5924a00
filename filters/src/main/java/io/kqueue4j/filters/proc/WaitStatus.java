package io.kqueue4j.filters.proc;

/**
 * The {@code wait(2)} status word that {@code NOTE_EXIT} delivers in {@code data}, and the macros
 * of {@code <sys/wait.h>} that decode it (the encoding BSD and Linux share).
 */
public final class WaitStatus {
  /** {@code WCOREFLAG}. */
  public static final int WCOREFLAG = 0x80;

  private WaitStatus() {}

  /**
   * The status of a process that called {@code exit(code)}.
   *
   * @param code the exit code; only its low 8 bits are kept, as {@code exit} does
   * @return the wait status, {@code (code & 0xff) << 8}
   */
  public static int ofExit(int code) {
    return (code & 0xff) << 8;
  }

  /**
   * The status of a process that {@code signal} killed, with {@link #WCOREFLAG} if it dumped core.
   *
   * @param signal the number of the signal, 1 to 127
   * @param coreDumped whether the process dumped core
   * @return the wait status
   */
  public static int ofSignal(int signal, boolean coreDumped) {
    return (signal & 0x7f) | (coreDumped ? WCOREFLAG : 0);
  }

  /**
   * {@code WIFEXITED}.
   *
   * @param status a wait status
   * @return {@code true} when the process ended by {@code exit} or returning from {@code main}
   */
  public static boolean exited(long status) {
    return (status & 0x7f) == 0;
  }

  /**
   * {@code WEXITSTATUS}; meaningful only when {@link #exited} is true.
   *
   * @param status a wait status
   * @return the low 8 bits of the code passed to {@code exit}
   */
  public static int exitStatus(long status) {
    return (int) (status >> 8) & 0xff;
  }

  /**
   * {@code WIFSIGNALED}.
   *
   * @param status a wait status
   * @return {@code true} when a signal killed the process
   */
  public static boolean signaled(long status) {
    int low = (int) status & 0x7f;
    return low != 0 && low != 0x7f;
  }

  /**
   * {@code WTERMSIG}; meaningful only when {@link #signaled} is true.
   *
   * @param status a wait status
   * @return the number of the signal that killed the process
   */
  public static int termSignal(long status) {
    return (int) status & 0x7f;
  }

  /**
   * {@code WCOREDUMP}; meaningful only when {@link #signaled} is true.
   *
   * @param status a wait status
   * @return {@code true} when the killed process dumped core
   */
  public static boolean coreDumped(long status) {
    return (status & WCOREFLAG) != 0;
  }

  /**
   * The status behind an exit value of {@link Process#exitValue()} on Unix, where the JDK reports
   * {@code WEXITSTATUS} for an exit and 128 + {@code WTERMSIG} for a death by signal. The two
   * overlap: 129 to 192 are read as signals 1 to 64, as shells read {@code $?}, so a process that
   * called {@code exit(137)} is reported as killed by signal 9. Whether it dumped core is lost.
   *
   * @param value the exit value the JDK reported
   * @return the wait status it stands for
   */
  public static int ofJdkExitValue(int value) {
    if (value > 0x80 && value <= 0x80 + 64) {
      return ofSignal(value - 0x80, false);
    }
    return ofExit(value);
  }

  /**
   * Such as {@code exited 3}, {@code killed by signal 9 (core dumped)}.
   *
   * @param status a wait status
   * @return a description for messages; {@code status 0x...} for a status that is neither
   */
  public static String describe(long status) {
    if (exited(status)) {
      return "exited " + exitStatus(status);
    }
    if (signaled(status)) {
      return "killed by signal " + termSignal(status) + (coreDumped(status) ? " (core dumped)" : "");
    }
    return "status 0x" + Long.toHexString(status);
  }
}
