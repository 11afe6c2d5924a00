package io.kqueue4j.samples.kqwatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.samples.SampleProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Starts kqwatch as a process on a temporary tree and checks its output against real changes. */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "runs commands with sh")
class KqWatchTest {
  private static final String READY = "kqwatch: watching 1 path(s)";

  @TempDir Path tmp;
  private Path tree;
  private Path logs;
  private final List<Process> started = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    tree = Files.createDirectory(tmp.resolve("tree")).toRealPath();
    logs = Files.createDirectory(tmp.resolve("logs")); // outside the watched tree
  }

  @AfterEach
  void tearDown() {
    for (Process p : started) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  /** A kqwatch process with its standard output and error in files. */
  private final class Run extends SampleProcess {
    Run(List<String> prefix, String... args) throws IOException {
      super(prefix, logs.resolve("out" + started.size()), logs.resolve("err" + started.size()),
          KqWatch.class, args);
      started.add(process);
    }

    Run(String... args) throws IOException {
      this(List.of(), args);
    }

    long stdoutLines(String line) {
      return stdout().lines().filter(line::equals).count();
    }

    Run awaitReady() {
      waiting().until(() -> stderr().contains(READY) || !process.isAlive());
      assertTrue(stderr().contains(READY), this::toString);
      return this;
    }
  }

  @Test
  void createdFileIsPrintedAsText() throws Exception {
    Run run = new Run("--exit-after", "1", "--event", "CREATE_FILE", "--timeout", "20s", tree.toString())
        .awaitReady();
    Path file = Files.createFile(tree.resolve("new.txt"));
    assertEquals(0, run.awaitExit(), run::toString);
    assertEquals("CREATE_FILE " + file + "\n", run.stdout(), run::toString);
  }

  @Test
  void createsInANewDirectoryAreSeenRecursively() throws Exception {
    Run run = new Run("--exit-after", "2", "--event", "create_dir,create_file", tree.toString())
        .awaitReady();
    Path dir = Files.createDirectories(tree.resolve("a/b"));
    assertEquals(0, run.awaitExit(), run::toString);
    assertEquals("CREATE_DIR " + dir.getParent() + " [dir]\nCREATE_DIR " + dir + " [dir]\n",
        run.stdout(), run::toString);
  }

  @Test
  void renameHasBothPathsInJson() throws Exception {
    Path from = Files.writeString(tree.resolve("from \"quoted\".txt"), "x");
    Run run = new Run("--json", "--exit-after", "1", "-e", "RENAME", "-t", "20s", tree.toString())
        .awaitReady();
    Path to = Files.move(from, tree.resolve("to.txt"));
    assertEquals(0, run.awaitExit(), run::toString);
    List<String> lines = run.stdout().lines().toList();
    assertEquals(1, lines.size(), run::toString);
    String json = lines.get(0);
    String fromJson = from.toString().replace("\"", "\\\"");
    assertTrue(json.matches("\\{\"type\":\"RENAME\",\"path\":\"" + java.util.regex.Pattern.quote(fromJson)
        + "\",\"dest\":\"" + java.util.regex.Pattern.quote(to.toString())
        + "\",\"isDir\":false,\"id\":\\d+}"), json);
  }

  @Test
  void aSingleFileIsWatchedWithoutItsSiblings() throws Exception {
    Path file = Files.writeString(tree.resolve("watched.txt"), "x");
    Run run = new Run("--exit-after", "1", "--coalesce", "0", tree.resolve("watched.txt").toString())
        .awaitReady();
    Files.createFile(tree.resolve("sibling.txt"));
    Files.writeString(file, "more");
    assertEquals(0, run.awaitExit(), run::toString);
    assertEquals("CONTENT_MODIFIED " + file + "\n", run.stdout(), run::toString);
  }

  @Test
  void durationsNeedAUnit() {
    assertEquals(Duration.ofMillis(100), DurationConverter.parse("100ms"));
    assertEquals(Duration.ofMillis(1500), DurationConverter.parse("1.5s"));
    assertEquals(Duration.ofMinutes(2), DurationConverter.parse("2m"));
    assertEquals(Duration.ofNanos(500_000), DurationConverter.parse("500us"));
    assertEquals(Duration.ZERO, DurationConverter.parse("0"));
    org.junit.jupiter.api.Assertions.assertThrows(
        picocli.CommandLine.TypeConversionException.class, () -> DurationConverter.parse("10"));
  }

  @Test
  void timeoutEndsWithStatusZeroAndNoEvents() throws Exception {
    Run run = new Run("--timeout", "300ms", tree.toString());
    assertEquals(0, run.awaitExit(), run::toString);
    assertEquals("", run.stdout());
    assertTrue(run.stderr().contains(READY), run::toString);
  }

  @Test
  void missingPathIsExit2WithOneLine() throws Exception {
    Run run = new Run("--json", tree.toString(), "/nope");
    assertEquals(2, run.awaitExit(), run::toString);
    assertEquals("kqwatch: /nope: no such file or directory\n", run.stderr());
    assertEquals("", run.stdout());
  }

  @Test
  void usageErrorIsExit2AndHelpIsExit0() throws Exception {
    Run bad = new Run("--exit-after", "many", tree.toString());
    Run badDuration = new Run("--timeout", "5", tree.toString());
    Run noCommand = new Run(tree.toString(), "--");
    Run help = new Run("--help");
    assertEquals(2, bad.awaitExit(), bad::toString);
    assertTrue(bad.stderr().contains("--exit-after"), bad::toString);
    assertEquals(2, badDuration.awaitExit(), badDuration::toString);
    assertTrue(badDuration.stderr().contains("invalid duration '5'"), badDuration::toString);
    assertEquals(2, noCommand.awaitExit(), noCommand::toString);
    assertTrue(noCommand.stderr().contains("no command after --"), noCommand::toString);
    assertEquals(0, help.awaitExit(), help::toString);
    assertTrue(help.stdout().startsWith("Usage: kqwatch [OPTIONS] PATH... [-- COMMAND [ARG...]]"),
        help::toString);
  }

  @Test
  void commandRunsAgainAfterAChange() throws Exception {
    Run run = new Run("--timeout", "25s", "--debounce", "50ms", tree.toString(), "--", "sh", "-c", "echo ran")
        .awaitReady();
    run.until(() -> run.stdoutLines("ran") == 1 && run.stderr().contains("exited 0"));
    Files.createFile(tree.resolve("trigger"));
    run.until(() -> run.stdoutLines("ran") == 2
        && run.stderr().lines().filter(l -> l.endsWith(": exited 0")).count() == 2);
    assertTrue(run.stdout().contains("CREATE_FILE " + tree.resolve("trigger")), run::toString);
    assertTrue(run.stderr().contains("kqwatch: change seen, starting sh -c echo ran"), run::toString);
    run.process.destroy(); // SIGTERM: caught with EVFILT_SIGNAL, nothing running to forward it to
    assertEquals(0, run.awaitExit(), run::toString);
    assertTrue(run.stderr().contains("kqwatch: SIGTERM received"), run::toString);
  }

  @Test
  void runningCommandIsRestartedAndGetsTheForwardedSigterm() throws Exception {
    Run run = new Run("--timeout", "25s", tree.toString(), "--", "sh", "-c", "echo ran; exec sleep 60")
        .awaitReady();
    run.until(() -> run.stdoutLines("ran") == 1);
    Files.createFile(tree.resolve("edit")); // one event: one restart
    run.until(() -> run.stdoutLines("ran") == 2);
    assertTrue(run.stderr().contains("kqwatch: change seen, restarting"), run::toString);
    assertTrue(run.stderr().contains(": killed by signal 15"), run::toString);
    run.process.destroy();
    assertEquals(0, run.awaitExit(), run::toString);
    String err = run.stderr();
    assertTrue(err.contains("kqwatch: SIGTERM received, forwarding it to pid"), err);
    assertEquals(2, err.lines().filter(l -> l.endsWith(": killed by signal 15")).count(), err);
  }

  @Test
  void signalThatCannotBeWatchedIsReportedAndWatchingGoesOn() throws Exception {
    // nohup leaves SIGHUP ignored, which the JVM does not let a handler replace
    Run run = new Run(List.of("nohup"), "--timeout", "300ms", tree.toString(), "--", "true");
    assertEquals(0, run.awaitExit(), run::toString);
    assertTrue(run.stderr().contains("kqwatch: not forwarding SIGHUP: "), run::toString);
    assertTrue(run.stderr().contains(READY), run::toString);
  }
}
