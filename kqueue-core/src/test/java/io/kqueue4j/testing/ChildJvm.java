package io.kqueue4j.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a test-class-path main in a fresh JVM of the running JDK, with chosen JVM flags; shared with
 * the tests of other modules through this module's test-jar.
 *
 * @param stdout what the child wrote to standard output, trimmed
 * @param stderr what the child wrote to standard error, trimmed
 */
public record ChildJvm(String stdout, String stderr) {

  /**
   * Runs {@code main} in a child JVM and waits up to 60 s for it to finish.
   *
   * @param main the class whose {@code main} to run, on the test class path
   * @param jvmFlags flags for the child's {@code java} command, before the class path
   * @return what the child wrote
   * @throws IOException when the child cannot be started or its output read
   * @throws InterruptedException when interrupted while waiting
   */
  public static ChildJvm run(Class<?> main, String... jvmFlags)
      throws IOException, InterruptedException {
    return run(List.of(), main, jvmFlags);
  }

  /**
   * As {@link #run(Class, String...)}, the {@code java} command preceded by {@code prefix} (such
   * as {@code unshare -U -r}).
   *
   * @param prefix the command words that run {@code java}
   * @param main the class whose {@code main} to run, on the test class path
   * @param jvmFlags flags for the child's {@code java} command, before the class path
   * @return what the child wrote
   * @throws IOException when the child cannot be started or its output read
   * @throws InterruptedException when interrupted while waiting
   */
  public static ChildJvm run(List<String> prefix, Class<?> main, String... jvmFlags)
      throws IOException, InterruptedException {
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(prefix);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(jvmFlags));
    command.addAll(List.of("-cp", classPath, main.getName()));
    Path out = Files.createTempFile("child-out", ".txt");
    Path err = Files.createTempFile("child-err", ".txt");
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      assertTrue(process.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
      return new ChildJvm(Files.readString(out).trim(), Files.readString(err).trim());
    } finally {
      Files.delete(out);
      Files.delete(err);
    }
  }
}
