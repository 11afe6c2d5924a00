package io.kqueue4j.samples.guide;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs a guide snippet with {@code System.out} captured, so a test can compare what it prints. */
final class Console {

  /** A snippet: the code of a guide, which may throw what the guide's code throws. */
  interface Snippet {
    void run() throws Exception;
  }

  private Console() {}

  /** What {@code snippet} printed to {@code System.out}, with line ends as {@code \n}. */
  static String capture(Snippet snippet) throws Exception {
    PrintStream saved = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      System.setOut(out);
      snippet.run();
    } finally {
      System.setOut(saved);
    }
    return bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
  }
}
