package io.kqueue4j.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the jcstress cases of {@code io.kqueue4j.reliability.jcstress} ({@code InFluxStress}, {@code
 * SourceActivationStress}) in a child JVM (jcstress forks its own) and fails on any forbidden
 * outcome or error, or when a case did not run.
 *
 * <p>Two runs. Every build runs jcstress's sanity mode, a few samples per case, which checks that
 * the cases run and hold. The {@code slow} run ({@code mvn -Dslow verify}) is the stress run: the
 * default mode's time per case (5 iterations of 1 s, a normal and a stress fork) in one JVM
 * configuration, tiered compilation without split compilation: 4 minutes on two busy cores. The
 * full matrix of configurations (28 per case) took 15 minutes there for six cases in quick mode;
 * {@code -Djcstress.mode=quick} (or {@code default}, {@code tough}) runs it in place of the sanity
 * mode. The slow run catches a registration that ignores the in-flux flag: {@code
 * PendingTriggerVersusScan}, {@code DeleteVersusScan} and {@code TriggerVersusDisableEnable} then
 * see forbidden outcomes.
 */
class JcstressTest {
  /** The number of cases, each of which must have run. */
  private static final int CASES = 11;
  private static final Pattern PROGRESS = Pattern.compile(
      "(\\d+) planned; (\\d+) passed, (\\d+) failed, (\\d+) soft errs, (\\d+) hard errs");

  @Test
  void in_flux_cases_show_no_forbidden_outcome(@TempDir Path results) throws Exception {
    run(results, "-m", System.getProperty("jcstress.mode", "sanity"));
  }

  @Test
  @Tag("slow")
  void in_flux_cases_show_no_forbidden_outcome_under_stress(@TempDir Path results)
      throws Exception {
    run(results, "-m", "default", "-sc", "false", "-jvmArgs", "-XX:+TieredCompilation");
  }

  private static void run(Path results, String... options) throws Exception {
    String classPath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classPath, "org.openjdk.jcstress.Main",
        "-t", "io.kqueue4j.reliability.jcstress", "-r", results.toString()));
    command.addAll(List.of(options));
    long start = System.nanoTime();
    Process jcstress = new ProcessBuilder(command)
        .directory(results.toFile()) // jcstress drops its result blob in the working directory
        .redirectErrorStream(true)
        .start();
    byte[] out = jcstress.getInputStream().readAllBytes();
    assertTrue(jcstress.waitFor(30, TimeUnit.MINUTES), "jcstress finished");
    String output = new String(out, StandardCharsets.UTF_8);
    Matcher progress = PROGRESS.matcher(output);
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
    assertTrue(output.contains("Error tests: No matches."), output);
    assertTrue(output.contains(CASES + " matching test results"),
        "all " + CASES + " cases ran:\n" + output);
    System.out.printf("[reliability] jcstress %s: %s runs of %d cases passed in %.0f s%n",
        String.join(" ", options), last[0], CASES, (System.nanoTime() - start) / 1e9);
  }
}
