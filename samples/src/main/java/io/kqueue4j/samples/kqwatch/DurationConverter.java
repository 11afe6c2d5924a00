package io.kqueue4j.samples.kqwatch;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Parses {@code 100ms}, {@code 2s}, {@code 1.5s}, {@code 1m}, {@code 1h}, {@code 500us}, {@code 0}. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|ms|s|m|h)");

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  static Duration parse(String value) {
    String v = value.trim();
    if (v.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = FORM.matcher(v);
    if (!m.matches()) {
      throw new CommandLine.TypeConversionException(
          "invalid duration '" + value + "': use a number and a unit, e.g. 100ms, 2s, 1m");
    }
    double amount = Double.parseDouble(m.group(1));
    long unitNanos =
        switch (m.group(2)) {
          case "ns" -> 1L;
          case "us" -> 1_000L;
          case "ms" -> 1_000_000L;
          case "s" -> 1_000_000_000L;
          case "m" -> 60_000_000_000L;
          default -> 3_600_000_000_000L;
        };
    double nanos = amount * unitNanos;
    if (nanos > Long.MAX_VALUE / 2) {
      throw new CommandLine.TypeConversionException("duration '" + value + "' is too long");
    }
    return Duration.ofNanos(Math.round(nanos));
  }
}
