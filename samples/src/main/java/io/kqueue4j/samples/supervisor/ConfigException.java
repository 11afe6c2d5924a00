package io.kqueue4j.samples.supervisor;

/** A config file that cannot be read or has a bad line; the message names the file and the line. */
final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int line;

  /**
   * @param source the file, as given
   * @param line the line number from 1, or 0 when the problem is the whole file
   * @param problem what is wrong
   */
  ConfigException(String source, int line, String problem) {
    super(line > 0 ? source + ":" + line + ": " + problem : source + ": " + problem);
    this.line = line;
  }

  /** The line number from 1, or 0 when the problem is the whole file. */
  int line() {
    return line;
  }
}
