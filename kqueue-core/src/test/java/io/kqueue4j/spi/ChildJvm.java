package io.kqueue4j.spi;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a test-class-path main in a fresh JVM of the running JDK, with chosen JVM flags. */
record ChildJvm(String stdout, String stderr) {

  static ChildJvm run(Class<?> main, String... jvmFlags) throws IOException, InterruptedException {
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>();
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
