package io.kqueue4j.samples.supervisor;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The supervisor's own lines, each starting with {@code supervisor: } and flushed at once, since
 * the children write to the same standard streams: what happens on standard output, problems on
 * standard error.
 */
final class Log {
  private final PrintStream out;
  private final PrintStream err;

  Log(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  void info(String format, Object... args) {
    line(out, format, args);
  }

  void error(String format, Object... args) {
    line(err, format, args);
  }

  private static void line(PrintStream stream, String format, Object... args) {
    stream.println("supervisor: " + String.format(Locale.ROOT, format, args));
    stream.flush();
  }
}
