package io.kqueue4j.samples;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.awaitility.core.ConditionFactory;

/**
 * A sample running as its own process ({@link SampleJvm}), with its standard output and error in
 * files that the test reads while it runs. Each sample's test adds what it waits for.
 */
public class SampleProcess {
  /** The sample's process. */
  public final Process process;
  private final Path out;
  private final Path err;

  /**
   * Starts {@code main} with {@code args}.
   *
   * @param prefix a command and its options in front of {@code java}, or empty
   * @param out the file for standard output
   * @param err the file for standard error
   * @param main the sample's main class
   * @param args its arguments
   * @throws IOException if the process cannot be started
   */
  public SampleProcess(List<String> prefix, Path out, Path err, Class<?> main, String... args)
      throws IOException {
    this.out = out;
    this.err = err;
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(SampleJvm.command(main, args));
    process = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
        .start();
  }

  /** How long a test waits for a sample: 15 s, polled every 20 ms. */
  public static ConditionFactory waiting() {
    return await().atMost(Duration.ofSeconds(15)).pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(20));
  }

  /** What the sample printed on standard output so far. */
  public String stdout() {
    return read(out);
  }

  /** What the sample printed on standard error so far. */
  public String stderr() {
    return read(err);
  }

  /** Waits for the sample to end and returns its exit status. */
  public int awaitExit() {
    waiting().until(() -> !process.isAlive());
    return process.exitValue();
  }

  /** Waits until {@code condition} holds; a timeout shows both outputs. */
  public void until(Callable<Boolean> condition) {
    waiting().alias(toString()).until(condition);
  }

  @Override
  public String toString() {
    return "stdout:\n" + stdout() + "stderr:\n" + stderr();
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
