package io.kqueue4j.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the jcstress cases of {@code io.kqueue4j.reliability.jcstress} ({@code InFluxStress}, {@code
 * SourceActivationStress}) in a child JVM (jcstress forks its own) in its sanity mode, and fails on
 * any forbidden outcome or error. {@code -Djcstress.mode=default} (or {@code quick}, {@code tough})
 * runs them for longer.
 */
class JcstressTest {

  @Test
  void in_flux_cases_show_no_forbidden_outcome(@TempDir Path results) throws Exception {
    String classPath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    String mode = System.getProperty("jcstress.mode", "sanity");
    Process jcstress = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", classPath, "org.openjdk.jcstress.Main",
            "-t", "io.kqueue4j.reliability.jcstress", "-m", mode, "-r", results.toString())
        .directory(results.toFile()) // jcstress drops its result blob in the working directory
        .redirectErrorStream(true)
        .start();
    byte[] out = jcstress.getInputStream().readAllBytes();
    assertTrue(jcstress.waitFor(15, TimeUnit.MINUTES), "jcstress finished");
    String output = new String(out, StandardCharsets.UTF_8);
    Matcher progress =
        Pattern.compile("(\\d+) planned; (\\d+) passed, (\\d+) failed, (\\d+) soft errs, (\\d+) hard errs")
            .matcher(output);
    String[] last = null;
    while (progress.find()) {
      last = new String[] {progress.group(1), progress.group(2), progress.group(3),
          progress.group(4), progress.group(5)};
    }
    assertTrue(last != null, output);
    assertEquals(last[0], last[1], "every planned run passed:\n" + output);
    assertEquals("0", last[2], output);
    assertEquals("0", last[4], output);
    assertTrue(output.contains("Failed tests: No matches."), output);
    assertTrue(output.contains("6 matching test results"), "all six cases ran:\n" + output);
  }
}
