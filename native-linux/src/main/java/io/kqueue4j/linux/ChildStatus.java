package io.kqueue4j.linux;

/**
 * A child's change of state as {@code waitid(2)} reports it in {@code siginfo_t}: {@code si_pid},
 * {@code si_code} ({@code CLD_*}) and {@code si_status} (the exit code, or the signal number).
 *
 * @param pid the child, {@code si_pid}
 * @param code {@code si_code}: {@link #CLD_EXITED}, {@link #CLD_KILLED}, {@link #CLD_DUMPED},
 *     {@link #CLD_STOPPED}, {@link #CLD_TRAPPED} or {@link #CLD_CONTINUED}
 * @param status {@code si_status}: the exit code for {@code CLD_EXITED}, else the signal
 */
public record ChildStatus(int pid, int code, int status) {

  /** {@code CLD_EXITED}: the child exited; {@code si_status} is its exit code. */
  public static final int CLD_EXITED = 1;
  /** {@code CLD_KILLED}: a signal killed the child without a core dump. */
  public static final int CLD_KILLED = 2;
  /** {@code CLD_DUMPED}: a signal killed the child and it dumped core. */
  public static final int CLD_DUMPED = 3;
  /** {@code CLD_TRAPPED}: a traced child has trapped. */
  public static final int CLD_TRAPPED = 4;
  /** {@code CLD_STOPPED}: a signal stopped the child. */
  public static final int CLD_STOPPED = 5;
  /** {@code CLD_CONTINUED}: a stopped child was resumed by {@code SIGCONT}. */
  public static final int CLD_CONTINUED = 6;

  /**
   * True when the child called {@code exit}: {@link #status()} is its exit code.
   *
   * @return whether {@link #code()} is {@link #CLD_EXITED}
   */
  public boolean exited() {
    return code == CLD_EXITED;
  }

  /**
   * True when a signal ended the child: {@link #status()} is that signal.
   *
   * @return whether {@link #code()} is {@link #CLD_KILLED} or {@link #CLD_DUMPED}
   */
  public boolean killed() {
    return code == CLD_KILLED || code == CLD_DUMPED;
  }

  /**
   * The status word {@code wait(2)} would have stored, the encoding that BSD and Linux share and
   * that {@code EVFILT_PROC}'s {@code NOTE_EXIT} puts in {@code data}: {@code WIFEXITED}, {@code
   * WEXITSTATUS}, {@code WTERMSIG}, {@code WCOREDUMP} decode it.
   *
   * @return the 16-bit status word: exit code in bits 8-15, or the signal in bits 0-6 (with 0x80
   *     for a core dump), {@code sig << 8 | 0x7f} when stopped, {@code 0xffff} when continued
   * @throws IllegalStateException if {@link #code()} is not one of the {@code CLD_*} values
   */
  public int waitStatus() {
    switch (code) {
      case CLD_EXITED:
        return (status & 0xff) << 8;
      case CLD_KILLED:
        return status & 0x7f;
      case CLD_DUMPED:
        return (status & 0x7f) | 0x80;
      case CLD_STOPPED:
      case CLD_TRAPPED:
        return ((status & 0xff) << 8) | 0x7f;
      case CLD_CONTINUED:
        return 0xffff;
      default:
        throw new IllegalStateException("unknown si_code " + code);
    }
  }
}
