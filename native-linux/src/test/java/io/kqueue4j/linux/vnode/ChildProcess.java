package io.kqueue4j.linux.vnode;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A test-class-path main run in a fresh JVM, optionally behind a command prefix. */
record ChildProcess(int exitCode, String stdout, String stderr) {

  static ChildProcess runJava(List<String> prefix, Class<?> main, List<String> jvmFlags,
      String... args) throws IOException, InterruptedException {
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(prefix);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmFlags);
    command.addAll(List.of("-cp", classPath, main.getName()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile("vnode-child-out", ".txt");
    Path err = Files.createTempFile("vnode-child-err", ".txt");
    try {
      Process process = new ProcessBuilder(command)
          .redirectOutput(out.toFile())
          .redirectError(err.toFile())
          .start();
      assertTrue(process.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
      return new ChildProcess(process.exitValue(), Files.readString(out).trim(),
          Files.readString(err).trim());
    } finally {
      Files.delete(out);
      Files.delete(err);
    }
  }
}
