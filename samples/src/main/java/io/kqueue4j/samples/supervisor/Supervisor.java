package io.kqueue4j.samples.supervisor;

import io.kqueue4j.KQueue;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * supervisor: starts the programs of a small config file, restarts them when they exit (with an
 * exponential backoff), applies the config again when the file changes or on {@code SIGHUP}, and
 * reports their status periodically. Processes, timers, the file and signals are multiplexed on
 * one {@link KQueue} by one loop ({@link SupervisorLoop}).
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * supervisor [--status-interval=30s] [--stop-timeout=5s] [--no-watch] [--check] CONFIG
 * </pre>
 *
 * <p>Run it from the repository's root after {@code mvn install -DskipTests}:
 *
 * <pre>
 * (cd samples &amp;&amp; mvn -q -B dependency:build-classpath -Dmdep.outputFile=target/classpath)
 * java -cp "$(cat samples/target/classpath):samples/target/classes" \
 *     io.kqueue4j.samples.supervisor.Supervisor --status-interval 10s samples/supervisor.conf
 * </pre>
 *
 * <p>Then edit {@code samples/supervisor.conf}, or {@code kill -HUP} the pid it prints, and stop
 * it with Ctrl-C or {@code kill <pid>}.
 *
 * <p>The config file has one program per line (see {@link ConfigFile} and {@code
 * samples/supervisor.conf}):
 *
 * <pre>
 * # NAME [KEY=VALUE...]: COMMAND [ARG...]
 * ticker: sh -c 'while sleep 2; do echo tick; done'
 * flaky backoff=500ms max-backoff=8s stable=5s: sh -c 'sleep 1; exit 3'
 * </pre>
 *
 * <ul>
 *   <li>An exit is followed by a restart after {@code backoff} (default 1s), doubled after each
 *       exit sooner than {@code stable} (default 10s) after the start, up to {@code max-backoff}
 *       (default 30s).
 *   <li>Saving the file (also by replacing it, as editors do) or {@code kill -HUP} reloads it: new
 *       programs start, removed ones stop, changed ones restart, the rest keep running. A bad line
 *       is reported with its number, and the previous config stays in force.
 *   <li>{@code SIGTERM} or {@code SIGINT} (Ctrl-C) sends {@code SIGTERM} to every program and its
 *       descendants, {@code SIGKILL} to those still running after {@code --stop-timeout}, and
 *       exits 0 once all have exited; a second signal kills them at once.
 * </ul>
 *
 * <p>Children share the supervisor's standard streams. The supervisor's own lines start with
 * {@code supervisor: }, events on standard output, problems on standard error. Exit codes: 0 after
 * {@code SIGTERM}/{@code SIGINT} (or a good {@code --check}), 1 on a runtime error, 2 on a usage
 * error or a config file that is missing or bad at start.
 */
@Command(
    name = "supervisor",
    mixinStandardHelpOptions = true,
    version = "supervisor 0.1.0 (kqueue4j)",
    sortOptions = false,
    description = {
      "Starts the programs listed in CONFIG, restarts each one after it exits (exponential"
          + " backoff), applies CONFIG again when it is edited or on SIGHUP, reports their status"
          + " periodically, and stops them all on SIGTERM or SIGINT. One kqueue, one loop:"
          + " EVFILT_PROC, EVFILT_TIMER, EVFILT_VNODE, EVFILT_SIGNAL.",
      ""
    },
    footer = {
      "",
      "CONFIG: one program per line, '" + ConfigFile.SYNTAX + "'; '#' starts a comment line.",
      "  web: python3 -m http.server 8080",
      "  worker backoff=500ms max-backoff=1m: sh -c './worker >> w.log'",
      "Keys: backoff (default 1s) is the delay before a restart; it doubles after each exit sooner"
          + " than stable (default 10s) after the start, up to max-backoff (default 30s), and"
          + " goes back to backoff after a stable run.",
      "COMMAND runs without a shell: '...' is literal, \"...\" takes \\\" and \\\\; use sh -c for"
          + " pipes and variables.",
      "Reload: new programs start, removed ones stop, changed ones restart, others keep running;"
          + " a bad line is reported and the previous config kept.",
      "Durations: a number and a unit: ms, s, m, h (500ms, 2s, 1.5m).",
      "Exit codes: 0 after SIGTERM/SIGINT or a good --check, 1 runtime error, 2 usage error or a"
          + " missing or bad CONFIG."
    })
public final class Supervisor implements Callable<Integer> {
  @Parameters(paramLabel = "CONFIG", description = "The config file.")
  Path config;

  @Option(
      names = {"-s", "--status-interval"},
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "Report the status of every program this often; 0 turns it off"
          + " (default: ${DEFAULT-VALUE}).")
  Duration statusInterval;

  @Option(
      names = "--stop-timeout",
      paramLabel = "DURATION",
      defaultValue = "5s",
      converter = DurationConverter.class,
      description = "How long a program has to exit after SIGTERM before SIGKILL"
          + " (default: ${DEFAULT-VALUE}).")
  Duration stopTimeout;

  @Option(
      names = "--no-watch",
      description = "Do not watch CONFIG for changes; reload only on SIGHUP.")
  boolean noWatch;

  @Option(
      names = {"-n", "--check"},
      description = "Check CONFIG, print its programs and exit: 0 when it is good, 2 when not.")
  boolean check;

  private final PrintStream out;
  private final PrintStream err;

  Supervisor(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /**
   * Runs the supervisor and exits with its exit code.
   *
   * @param args the options and the config file; {@code --help} tells them
   */
  public static void main(String[] args) {
    System.exit(execute(args, System.out, System.err));
  }

  /** Runs the supervisor with {@code args} and returns its exit code. */
  static int execute(String[] args, PrintStream out, PrintStream err) {
    CommandLine cl = new CommandLine(new Supervisor(out, err));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          err.println("supervisor: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
          return 1;
        });
    return cl.execute(args);
  }

  @Override
  public Integer call() throws Exception {
    Log log = new Log(out, err);
    Map<String, ProgramSpec> programs;
    try {
      programs = ConfigFile.read(config);
    } catch (ConfigException e) {
      log.error("%s", e.getMessage());
      return 2;
    }
    if (check) {
      log.info("%s: %d program(s)", config, programs.size());
      for (ProgramSpec p : programs.values()) {
        log.info("  %s: %s (backoff %s, max-backoff %s, stable %s)", p.name(), p.display(),
            Durations.format(p.backoff()), Durations.format(p.maxBackoff()),
            Durations.format(p.stable()));
      }
      return 0;
    }
    try (KQueue kq = KQueue.open()) {
      return new SupervisorLoop(kq, config, statusInterval, stopTimeout, !noWatch, log)
          .run(programs);
    }
  }

  /** Picocli's side of {@link Durations#parse}. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return Durations.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
