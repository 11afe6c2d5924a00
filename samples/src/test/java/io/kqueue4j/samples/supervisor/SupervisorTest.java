package io.kqueue4j.samples.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.samples.SampleProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts the supervisor as a process on a config file in a temporary directory and checks its
 * output against what really happens to its children, its config file and its signals.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "runs commands with sh and sends signals with kill")
class SupervisorTest {
  private static final String READY = "supervisor: supervising ";
  /** What a supervisor started in the background (SIGINT ignored, as sh does for {@code &}) says. */
  private static final String SIGINT_IGNORED = "(?m)^supervisor: not handling SIGINT: .*\n";

  @TempDir Path tmp;
  private Path conf;
  private Path logs;
  private final List<Process> started = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("etc")).toRealPath();
    conf = dir.resolve("supervisor.conf");
    logs = Files.createDirectory(tmp.resolve("logs"));
  }

  @AfterEach
  void tearDown() {
    for (Process p : started) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  @Test
  void startsProgramsRestartsExitsAfterTheirBackoffAndReportsStatus() throws Exception {
    write("""
        sleeper: sleep 60
        flaky backoff=100ms max-backoff=400ms: sh -c 'exit 3'
        steady backoff=150ms stable=200ms: sh -c 'sleep 0.3; exit 1'
        """);
    Run run = new Run("--status-interval", "500ms", conf.toString()).awaitReady();
    run.until(() -> run.pids("flaky").size() >= 5 && run.pids("steady").size() >= 3
        && run.stdout().contains("supervisor: status: 3 program(s)"));

    long sleeper = run.pid("sleeper");
    assertEquals(1, run.pids("sleeper").size(), run::toString);
    assertEquals(Optional.of(run.process.pid()),
        ProcessHandle.of(sleeper).flatMap(ProcessHandle::parent).map(ProcessHandle::pid));

    // quick exits: the delay doubles up to the cap, and each restart waited at least that long
    List<Long> delays = run.matches("supervisor: flaky \\(pid \\d+\\) exited 3 after [^;]+;"
        + " restarting in (.+)");
    assertEquals(List.of(100L, 200L, 400L, 400L), delays.subList(0, 4), run::toString);
    List<Long> waited = run.matches("supervisor: started flaky \\(pid \\d+, restart \\d+, (.+)"
        + " after the exit\\): .*");
    for (int i = 0; i < 4; i++) {
      assertTrue(waited.get(i) >= delays.get(i), run::toString);
    }
    // runs longer than "stable": always the first delay
    List<Long> steady = run.matches("supervisor: steady \\(pid \\d+\\) exited 1 after [^;]+;"
        + " restarting in (.+)");
    assertEquals(List.of(150L, 150L), steady.subList(0, 2), run::toString);

    assertTrue(run.stdout().contains("supervisor: status:   sleeper: running, pid " + sleeper
        + ", up "), run::toString);
    assertTrue(run.stdout().contains("supervisor: status:   flaky: "), run::toString);
    assertEquals("", run.stderr().replaceAll(SIGINT_IGNORED, ""), run::toString);
  }

  @Test
  void editingTheConfigAppliesTheDifferenceAlsoAfterTheFileIsReplaced() throws Exception {
    write("a: sleep 60\nb: sleep 60\n");
    Run run = new Run(conf.toString()).awaitReady();
    run.until(() -> run.pids("a").size() == 1 && run.pids("b").size() == 1);
    long a = run.pid("a");
    long b = run.pid("b");

    write("a: sleep 60\nc: sleep 60\n"); // in place: NOTE_WRITE
    run.until(() -> run.stdout().contains("supervisor: reload (config file changed): 1 added,"
        + " 1 removed, 0 changed, 1 unchanged") && run.pids("c").size() == 1
        && run.stdout().contains("supervisor: b (pid " + b + ") killed by signal 15 after "));
    assertTrue(gone(b), run::toString);
    assertTrue(run.stdout().contains("supervisor: stopping b (pid " + b
        + "): removed from the config"), run::toString);
    long c = run.pid("c");
    assertTrue(alive(a), run::toString);

    write("a: sleep 60\nc: sleep 60\nd oops: sleep 60\n"); // a bad line changes nothing
    run.until(() -> run.stderr().contains("supervisor: " + conf + ":3: expected KEY=VALUE before"
        + " ':', found 'oops'; keeping the previous config"));

    Path next = Files.writeString(conf.resolveSibling("supervisor.conf.new"), "a: sleep 61\nc: sleep 60\n");
    Files.move(next, conf, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    run.until(() -> run.stdout().contains(": 0 added, 0 removed, 1 changed, 1 unchanged")
        && run.pids("a").size() == 2 && gone(a));
    assertTrue(run.stdout().contains("supervisor: stopping a (pid " + a + "): its line changed"),
        run::toString);
    assertTrue(run.stdout().contains("supervisor: started a (pid " + run.pid("a") + "): sleep 61"),
        run::toString);

    Files.delete(conf); // the name is free: the directory is watched until the file is back
    run.until(() -> run.stderr().contains("supervisor: " + conf + ": no such file; keeping the"
        + " previous config"));
    write("c: sleep 60\n");
    run.until(() -> run.stdout().contains(": 0 added, 1 removed, 0 changed, 1 unchanged"));
    write("c: sleep 60\nd: sleep 60\n"); // the new file is watched
    run.until(() -> run.pids("d").size() == 1);
    assertEquals(List.of(c), run.pids("c"), run::toString);
  }

  @Test
  void sighupReloadsAndABadLineKeepsThePreviousConfig() throws Exception {
    write("a: sleep 60\n");
    Run run = new Run("--no-watch", conf.toString()).awaitReady();
    run.until(() -> run.pids("a").size() == 1);
    long a = run.pid("a");

    write("a: sleep 60\nb: sh -c 'exit 1\n");
    run.signal("HUP");
    run.until(() -> run.stderr().contains("supervisor: " + conf + ":2: unterminated ' quote;"
        + " keeping the previous config"));
    assertTrue(alive(a), run::toString);

    write("a: sleep 60\nb: sleep 60\n");
    run.signal("HUP");
    run.until(() -> run.stdout().contains("supervisor: reload (SIGHUP): 1 added, 0 removed,"
        + " 0 changed, 1 unchanged") && run.pids("b").size() == 1);
    run.signal("HUP");
    run.until(() -> run.stdout().contains("supervisor: reload (SIGHUP): no changes"));
    assertEquals(List.of(a), run.pids("a"), run::toString);
    assertFalse(run.stdout().contains("config file changed"), run::toString);
  }

  @Test
  void sigtermStopsEveryChildAndItsDescendantsThenExitsZero() throws Exception {
    write("""
        polite: sleep 60
        stubborn: sh -c 'trap "" TERM; echo stubborn ready; exec sleep 60'
        tree: sh -c 'sleep 60 & sleep 60 & echo tree ready; wait'
        """);
    Run run = new Run("--stop-timeout", "500ms", conf.toString()).awaitReady();
    run.until(() -> run.stdout().contains("stubborn ready") && run.stdout().contains("tree ready"));
    List<Long> pids = new ArrayList<>();
    for (String name : List.of("polite", "stubborn", "tree")) {
      long pid = run.pid(name);
      pids.add(pid);
      ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> pids.add(d.pid())));
    }
    assertEquals(5, pids.size(), () -> pids + "\n" + run);

    run.process.destroy(); // SIGTERM
    assertEquals(0, run.awaitExit(), run::toString);
    long stubborn = run.pid("stubborn");
    String out = run.stdout();
    assertTrue(out.contains("supervisor: SIGTERM received: stopping 3 program(s)"), out);
    assertTrue(out.contains("supervisor: stubborn (pid " + stubborn + ") did not exit within"
        + " 500 ms of SIGTERM, sending SIGKILL"), out);
    assertTrue(out.contains("supervisor: stubborn (pid " + stubborn + ") killed by signal 9"), out);
    assertTrue(out.contains("supervisor: polite (pid " + run.pid("polite")
        + ") killed by signal 15"), out);
    assertTrue(out.endsWith("supervisor: every program has stopped, exiting\n"), out);
    SampleProcess.waiting().until(() -> pids.stream().allMatch(SupervisorTest::gone));
  }

  @Test
  void sigintStopsToo() throws Exception {
    write("a: sleep 60\n");
    // A process started in the background by sh has SIGINT ignored, and so have its children;
    // GNU env can set it back to the default for the supervisor.
    List<String> prefix = resetsSigint() ? List.of("env", "--default-signal=INT") : List.of();
    Run run = new Run(prefix, conf.toString()).awaitReady();
    Assumptions.assumeFalse(run.stderr().contains("not handling SIGINT"),
        "SIGINT is ignored in this process tree (started in the background) and env cannot"
            + " reset it: " + run.stderr());
    run.until(() -> run.pids("a").size() == 1);
    run.signal("INT");
    assertEquals(0, run.awaitExit(), run::toString);
    assertTrue(run.stdout().contains("supervisor: SIGINT received: stopping 1 program(s)"), run::toString);
    assertTrue(gone(run.pid("a")), run::toString);
  }

  @Test
  void badUsageAndBadConfigAreExit2WithOneClearLine() throws Exception {
    Path bad = Files.writeString(tmp.resolve("bad.conf"), "# programs\nweb retries=3: sleep 1\n");
    Path good = Files.writeString(tmp.resolve("good.conf"), "web backoff=2s: sleep 'a b'\n");
    Run missing = new Run(tmp.resolve("nope.conf").toString());
    Run badConfig = new Run(bad.toString());
    Run badDuration = new Run("--stop-timeout", "5", good.toString());
    Run check = new Run("--check", good.toString());
    Run help = new Run("--help");
    assertEquals(2, missing.awaitExit(), missing::toString);
    assertEquals("supervisor: " + tmp.resolve("nope.conf") + ": no such file\n", missing.stderr());
    assertEquals(2, badConfig.awaitExit(), badConfig::toString);
    assertEquals("supervisor: " + bad + ":2: unknown key 'retries' (known: backoff, max-backoff,"
        + " stable)\n", badConfig.stderr());
    assertEquals(2, badDuration.awaitExit(), badDuration::toString);
    assertTrue(badDuration.stderr().contains("invalid duration '5'"), badDuration::toString);
    assertEquals(0, check.awaitExit(), check::toString);
    assertEquals("supervisor: " + good + ": 1 program(s)\nsupervisor:   web: sleep 'a b' (backoff"
        + " 2 s, max-backoff 30 s, stable 10 s)\n", check.stdout());
    assertEquals(0, help.awaitExit(), help::toString);
    assertTrue(help.stdout().startsWith("Usage: supervisor "), help::toString);
  }

  // ---- helpers

  private void write(String text) throws IOException {
    Files.writeString(conf, text, StandardCharsets.UTF_8);
  }

  private static boolean alive(long pid) {
    return !gone(pid);
  }

  /** No such process, or a zombie (dead, waiting for a parent that may never reap it). */
  private static boolean gone(long pid) {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !handle.get().isAlive()) {
      return true;
    }
    // ProcessHandle counts a zombie as alive; /proc tells the difference where there is one.
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException e) {
      return Files.isDirectory(Path.of("/proc/self")); // it has just gone, or there is no /proc
    }
  }

  /** Whether {@code env --default-signal=INT} (GNU coreutils 8.31 and later) works here. */
  private static boolean resetsSigint() throws InterruptedException {
    try {
      return new ProcessBuilder("env", "--default-signal=INT", "true")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start().waitFor() == 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** A supervisor process with its standard output and error in files. */
  private final class Run extends SampleProcess {
    Run(String... args) throws IOException {
      this(List.of(), args);
    }

    /** With {@code prefix} (a command and its options) in front of java. */
    Run(List<String> prefix, String... args) throws IOException {
      super(prefix, logs.resolve("out" + started.size()), logs.resolve("err" + started.size()),
          Supervisor.class, args);
      started.add(process);
    }

    Run awaitReady() {
      waiting().until(() -> stdout().contains(READY) || !process.isAlive());
      assertTrue(stdout().contains(READY), this::toString);
      return this;
    }

    /** Sends {@code SIG<name>} with kill(1): the JDK sends only SIGTERM and SIGKILL. */
    void signal(String name) throws IOException, InterruptedException {
      Process kill = new ProcessBuilder("kill", "-s", name, Long.toString(process.pid()))
          .inheritIO().start();
      assertEquals(0, kill.waitFor(), "kill -s " + name);
    }

    /** The pids of the starts of program {@code name}, in order. */
    List<Long> pids(String name) {
      List<Long> pids = new ArrayList<>();
      Matcher m = Pattern.compile("(?m)^supervisor: started " + Pattern.quote(name)
          + " \\(pid (\\d+)").matcher(stdout());
      while (m.find()) {
        pids.add(Long.parseLong(m.group(1)));
      }
      return pids;
    }

    /** The pid of the last start of {@code name}. */
    long pid(String name) {
      List<Long> pids = pids(name);
      assertFalse(pids.isEmpty(), () -> name + " never started\n" + this);
      return pids.get(pids.size() - 1);
    }

    /** The durations in group 1 of every standard output line matching {@code regex}, in ms. */
    List<Long> matches(String regex) {
      List<Long> millis = new ArrayList<>();
      Matcher m = Pattern.compile("(?m)^" + regex + "$").matcher(stdout());
      while (m.find()) {
        millis.add(SupervisorTest.millis(m.group(1)));
      }
      return millis;
    }

    @Override
    public String toString() {
      return "stdout:\n" + stdout() + "stderr:\n" + stderr();
    }
  }

  /** {@code 400 ms}, {@code 2 s}, {@code 1.5 s} in milliseconds. */
  private static long millis(String formatted) {
    String[] parts = formatted.split(" ");
    double value = Double.parseDouble(parts[0]);
    return Math.round(parts[1].equals("ms") ? value : value * 1000);
  }
}
