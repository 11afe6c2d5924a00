package io.kqueue4j.linux.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The fields of {@code /proc/<pid>/stat} that {@code EVFILT_PROC} needs (see proc(5)): the state,
 * the parent, and field 52, {@code exit_code}, which a zombie keeps in {@code waitpid} encoding
 * until its parent reaps it (Linux 3.5+; readable by whoever may ptrace-read the process).
 *
 * @param state the state letter: {@code R}, {@code S}, {@code D}, {@code Z} (zombie), {@code X}
 *     (dead), ...
 * @param parent the parent pid
 * @param exitCode {@code exit_code}, or -1 when the kernel does not show it
 */
record ProcStat(char state, long parent, int exitCode) {

  /** Field 3 is the state; fields are counted from 1 with the command's parentheses as field 2. */
  private static final int STATE = 3;
  private static final int PPID = 4;
  private static final int EXIT_CODE = 52;

  /** The stat of {@code pid}, or null when there is no such process (or no procfs). */
  static ProcStat read(long pid) {
    String text;
    try {
      text = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "stat")),
          StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException | SecurityException e) {
      return null;
    }
    return parse(text);
  }

  /** Parses one {@code stat} line; the command (field 2) may hold spaces and parentheses. */
  static ProcStat parse(String text) {
    int close = text.lastIndexOf(')');
    if (close < 0 || close + 2 >= text.length()) {
      return null;
    }
    String[] rest = text.substring(close + 2).trim().split(" ");
    if (rest.length < PPID - 2) {
      return null;
    }
    char state = rest[STATE - 3].charAt(0);
    long parent = Long.parseLong(rest[PPID - 3]);
    int exitCode = rest.length >= EXIT_CODE - 2 ? Integer.parseInt(rest[EXIT_CODE - 3]) : -1;
    return new ProcStat(state, parent, exitCode);
  }

  /** Whether the process has exited: a zombie waiting to be reaped, or dead. */
  boolean hasExited() {
    return state == 'Z' || state == 'X' || state == 'x';
  }
}
