package io.kqueue4j.samples.supervisor;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One line of the config file: a program's name, its command and its restart policy. Two specs
 * are equal when every field is; a reload restarts a program whose spec changed.
 *
 * @param name the program's name, unique in the file
 * @param command the program and its arguments, run without a shell
 * @param backoff the delay before the first restart, and after a stable run
 * @param maxBackoff the cap of the delay, which doubles with each quick exit
 * @param stable how long a run must last for the delay to go back to {@code backoff}
 */
record ProgramSpec(String name, List<String> command, Duration backoff, Duration maxBackoff,
    Duration stable) {
  static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);
  static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
  static final Duration DEFAULT_STABLE = Duration.ofSeconds(10);
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./=:,+@%-]+");

  ProgramSpec {
    command = List.copyOf(command);
  }

  /** The command as one line, quoted as the config file would have it. */
  String display() {
    StringBuilder sb = new StringBuilder();
    for (String word : command) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      if (PLAIN.matcher(word).matches()) {
        sb.append(word);
      } else {
        sb.append('\'').append(word.replace("'", "'\\''")).append('\'');
      }
    }
    return sb.toString();
  }
}
