package io.kqueue4j.samples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that starts a sample's main class in a JVM of its own, on the test class path,
 * the way a user runs it. It grants native access to the class path (JNR binds libc through it;
 * JDK 22+ warns on standard error without the grant) and, on JDK 24+, allows the {@code
 * sun.misc.Unsafe} read the process filter falls back to, so that the samples' own standard error
 * holds only what the samples print.
 */
public final class SampleJvm {
  private SampleJvm() {}

  /**
   * The command.
   *
   * @param main the sample's main class
   * @param args its arguments
   * @return {@code java} with the flags, the class path, the class name and the arguments
   */
  public static List<String> command(Class<?> main, String... args) {
    String cp = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED"));
    if (Runtime.version().feature() >= 24) {
      cmd.add("--sun-misc-unsafe-memory-access=allow");
    }
    cmd.addAll(List.of("-cp", cp, main.getName()));
    cmd.addAll(List.of(args));
    return cmd;
  }
}
