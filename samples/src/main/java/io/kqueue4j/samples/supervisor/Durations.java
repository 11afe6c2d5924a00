package io.kqueue4j.samples.supervisor;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as the config file and the options write them: {@code 250ms}, {@code 2s}, {@code 1.5m}, {@code 1h}, {@code 0}. */
final class Durations {
  private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

  private Durations() {}

  /**
   * Parses {@code value}.
   *
   * @throws IllegalArgumentException naming the value when it is not a number and a unit
   */
  static Duration parse(String value) {
    String v = value.trim();
    if (v.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = FORM.matcher(v);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "invalid duration '" + value + "': use a number and a unit (ms, s, m, h), e.g. 500ms, 2s");
    }
    double millis = Double.parseDouble(m.group(1))
        * switch (m.group(2)) {
          case "ms" -> 1L;
          case "s" -> 1_000L;
          case "m" -> 60_000L;
          default -> 3_600_000L;
        };
    if (millis > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("duration '" + value + "' is too long");
    }
    return Duration.ofMillis(Math.round(millis));
  }

  /** {@code 400 ms} below a second, {@code 2 s} for whole seconds, else {@code 12.5 s}. */
  static String format(Duration d) {
    long millis = d.toMillis();
    if (millis < 1000) {
      return millis + " ms";
    }
    return millis % 1000 == 0
        ? millis / 1000 + " s"
        : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  /** {@link #format} of the time since {@code startNanos} ({@link System#nanoTime()}). */
  static String since(long startNanos) {
    return format(Duration.ofNanos(System.nanoTime() - startNanos));
  }
}
