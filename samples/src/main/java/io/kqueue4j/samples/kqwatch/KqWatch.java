package io.kqueue4j.samples.kqwatch;

import static io.kqueue4j.KEvent.*;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.fsevent.FsEvent;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatcher;
import io.kqueue4j.filters.fsevent.StartupProgress;
import io.kqueue4j.filters.proc.WaitStatus;
import io.kqueue4j.filters.signal.Signals;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * kqwatch: watches paths and prints file-system events, optionally running a command on change,
 * all multiplexed on one {@link KQueue}:
 *
 * <ul>
 *   <li>{@code EVFILT_FSEVENT}: one recursive {@link FsWatcher} for every path given;
 *   <li>{@code EVFILT_TIMER}: the debounce before a restart, {@code --timeout}, and the grace
 *       period before a command that ignores {@code SIGTERM} is killed (all oneshot);
 *   <li>{@code EVFILT_PROC} {@code NOTE_EXIT}: the command's exit and its status;
 *   <li>{@code EVFILT_SIGNAL}: {@code SIGINT}, {@code SIGTERM}, {@code SIGHUP}, forwarded to the
 *       command; the first two also end kqwatch once the command has exited.
 * </ul>
 *
 * <pre>
 * kqwatch src                                  # text lines
 * kqwatch --json --exit-after 10 src docs      # JSON lines, ends after 10 events
 * kqwatch src -- mvn -q compile                # rebuild on change
 * </pre>
 *
 * Exit codes: 0 normal end (timeout, {@code --exit-after}, SIGINT/SIGTERM), 1 runtime error
 * (including every watched path gone), 2 usage error or a path that does not exist.
 */
@Command(
    name = "kqwatch",
    mixinStandardHelpOptions = true,
    version = "kqwatch 0.1.0 (kqueue4j)",
    sortOptions = false,
    customSynopsis = "kqwatch [OPTIONS] PATH... [-- COMMAND [ARG...]]",
    description = {
      "Watches PATHs (directories recursively, files through their directory) with EVFILT_FSEVENT"
          + " on one kqueue and prints one line per event on standard output, flushed after each"
          + " batch.",
      "With -- COMMAND, runs COMMAND at start and restarts it after a change (after the debounce),"
          + " prints its exit status on standard error, and forwards SIGINT, SIGTERM and SIGHUP"
          + " to it.",
      ""
    },
    footer = {
      "",
      "Text lines: TYPE PATH [-> DEST] [[dir]]. JSON lines: {\"type\",\"path\",\"dest\" (renames),"
          + " \"isDir\",\"id\"}.",
      "Durations: a number and a unit: ns, us, ms, s, m, h (100ms, 2s, 1.5m).",
      "Diagnostics go to standard error, starting with 'kqwatch: watching N path(s)' once every"
          + " path is watched.",
      "Exit codes: 0 normal end (timeout, --exit-after, SIGINT/SIGTERM), 1 runtime error,"
          + " 2 usage error or a path that does not exist."
    })
public final class KqWatch implements Callable<Integer> {
  static final long TIMEOUT_TIMER = 1;
  static final long DEBOUNCE_TIMER = 2;
  static final long KILL_TIMER = 3;
  private static final int[] FORWARDED = {Signals.SIGINT, Signals.SIGTERM, Signals.SIGHUP};

  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "PATH", description = "Directories or files to watch.")
  List<String> paths;

  @Option(names = {"-j", "--json"}, description = "Print JSON lines instead of text.")
  boolean json;

  @Option(
      names = {"-n", "--exit-after"},
      paramLabel = "N",
      description = "Exit after printing N events.")
  Integer exitAfter;

  @Option(
      names = {"-t", "--timeout"},
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Exit after DURATION.")
  Duration timeout;

  @Option(
      names = {"-e", "--event"},
      paramLabel = "TYPE",
      split = ",",
      description = "Only these event types (repeatable or comma-separated): ${COMPLETION-CANDIDATES}."
          + " Default: all.")
  List<FsEventType> eventTypes;

  @Option(
      names = {"-d", "--debounce"},
      paramLabel = "DURATION",
      defaultValue = "100ms",
      converter = DurationConverter.class,
      description = "Quiet time after the last change before the command restarts (default: ${DEFAULT-VALUE}).")
  Duration debounce;

  @Option(
      names = "--coalesce",
      paramLabel = "DURATION",
      defaultValue = "1s",
      converter = DurationConverter.class,
      description = "Merge repeated modifications of one path within DURATION; 0 turns it off"
          + " (default: ${DEFAULT-VALUE}).")
  Duration coalesce;

  @Option(
      names = "--stop-timeout",
      paramLabel = "DURATION",
      defaultValue = "5s",
      converter = DurationConverter.class,
      description = "How long the command has to exit after SIGTERM before SIGKILL"
          + " (default: ${DEFAULT-VALUE}).")
  Duration stopTimeout;

  private final boolean dashes;
  private final List<String> commandArgv;
  private final PrintStream out;
  private final PrintStream err;

  // loop state
  private KQueue kq;
  private io.kqueue4j.samples.kqwatch.Command command;
  private long printed;
  private boolean stopping;
  private boolean restartPending;
  private boolean killArmed;
  private int exitCode;

  KqWatch(boolean dashes, List<String> commandArgv, PrintStream out, PrintStream err) {
    this.dashes = dashes;
    this.commandArgv = commandArgv;
    this.out = out;
    this.err = err;
  }

  /** Runs kqwatch and exits with its exit code; {@code --help} tells the options. */
  public static void main(String[] args) {
    PrintStream out =
        new PrintStream(
            new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
            false,
            StandardCharsets.UTF_8);
    int code = execute(args, out, System.err);
    out.flush();
    System.exit(code);
  }

  /** Runs kqwatch with {@code args} and returns its exit code. */
  static int execute(String[] args, PrintStream out, PrintStream err) {
    int dashes = Arrays.asList(args).indexOf("--");
    String[] options = dashes < 0 ? args : Arrays.copyOfRange(args, 0, dashes);
    List<String> argv =
        dashes < 0 ? List.of() : List.of(Arrays.copyOfRange(args, dashes + 1, args.length));
    CommandLine cl = new CommandLine(new KqWatch(dashes >= 0, argv, out, err));
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setOut(new java.io.PrintWriter(out, true));
    cl.setErr(new java.io.PrintWriter(err, true));
    cl.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          err.println("kqwatch: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
          return 1;
        });
    return cl.execute(options);
  }

  @Override
  public Integer call() throws Exception {
    if (dashesWithoutCommand()) {
      throw new ParameterException(spec.commandLine(), "no command after --");
    }
    if (exitAfter != null && exitAfter < 1) {
      throw new ParameterException(spec.commandLine(), "--exit-after must be at least 1");
    }
    // Check the paths first: one clear line for a missing one.
    Set<Path> roots = new LinkedHashSet<>();
    List<Path> dirs = new ArrayList<>();
    Set<Path> files = new HashSet<>();
    for (String given : paths) {
      Path p = Path.of(given).toAbsolutePath().normalize();
      if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.exists(p)) {
        err.println("kqwatch: " + given + ": no such file or directory");
        return 2;
      }
      if (Files.isDirectory(p)) {
        roots.add(p);
        dirs.add(p);
      } else {
        Path parent = p.getParent() != null ? p.getParent() : p;
        roots.add(parent);
        files.add(p);
      }
    }
    Set<FsEventType> types =
        eventTypes == null || eventTypes.isEmpty() ? FsEventType.all() : EnumSet.copyOf(eventTypes);
    EventFormat format = json ? EventFormat.JSON : EventFormat.TEXT;
    boolean filter = !files.isEmpty(); // only a watched file's directory shows unrelated entries

    try (KQueue queue = KQueue.open();
        FsWatcher watcher =
            FsWatcher.builder()
                .roots(roots)
                .types(types)
                .coalescingWindow(coalesce)
                .progress(progress())
                .build()) {
      kq = queue;
      change(KEvent.of(watcher.id(), EVFILT_FSEVENT, EV_ADD | EV_CLEAR, 0, 0, null));
      if (timeout != null) {
        change(timer(TIMEOUT_TIMER, timeout));
      }
      for (int sig : FORWARDED) {
        try {
          // the JVM would shut down on these before kqwatch could forward them: it ignores them,
          // as a C program does with SIG_IGN, and the knote still counts each one
          Signals.ignore(sig);
          change(KEvent.of(sig, EVFILT_SIGNAL, EV_ADD, 0, 0, null));
        } catch (KQueueException e) {
          err.println("kqwatch: not " + (commandArgv.isEmpty() ? "handling" : "forwarding") + " SIG"
              + Signals.name(sig) + ": " + e.getMessage());
        }
      }
      err.println("kqwatch: watching " + paths.size() + " path(s)");
      err.flush();
      if (!commandArgv.isEmpty()) {
        command = new io.kqueue4j.samples.kqwatch.Command(commandArgv);
        try {
          startCommand();
        } catch (IOException e) {
          err.println("kqwatch: cannot run " + command.display() + ": " + e.getMessage());
          return 1;
        }
      }
      loop(watcher, format, filter, dirs, files);
      return exitCode;
    } finally {
      out.flush();
      if (command != null && command.running()) {
        command.kill();
      }
    }
  }

  private boolean dashesWithoutCommand() {
    return dashes && commandArgv.isEmpty();
  }

  private void loop(FsWatcher watcher, EventFormat format, boolean filter, List<Path> dirs,
      Set<Path> files) throws IOException, InterruptedException {
    KEvent[] events = new KEvent[16];
    while (true) {
      int n = kq.kevent(null, events, null);
      for (int i = 0; i < n; i++) {
        KEvent ev = events[i];
        if ((ev.flags() & EV_ERROR) != 0) {
          throw new KQueueException("kevent", (int) ev.data(), ev.toString());
        }
        switch (ev.filter()) {
          case EVFILT_FSEVENT -> {
            boolean changed = drain(watcher, format, filter, dirs, files);
            if (changed && command != null && !stopping) {
              change(timer(DEBOUNCE_TIMER, debounce)); // re-adding restarts the quiet period
            }
            if ((ev.flags() & EV_EOF) != 0 && !stopping) {
              err.println("kqwatch: every watched path is gone");
              stop(1);
            }
          }
          case EVFILT_TIMER -> onTimer(ev.ident());
          case EVFILT_PROC -> onExit((Process) ev.udata(), ev.data());
          case EVFILT_SIGNAL -> onSignal((int) ev.ident(), ev.data());
          default -> err.println("kqwatch: unexpected " + ev);
        }
      }
      out.flush();
      if (stopping && (command == null || !command.running())) {
        return;
      }
    }
  }

  /** Prints the queued records; true when one of them concerns a watched path. */
  private boolean drain(FsWatcher watcher, EventFormat format, boolean filter, List<Path> dirs,
      Set<Path> files) throws KQueueException {
    boolean changed = false;
    for (FsEvent e; !stopping && (e = watcher.poll()) != null; ) {
      if (filter && !EventFormat.concerns(e, dirs, files)) {
        continue;
      }
      changed = true;
      out.println(format.format(e));
      if (exitAfter != null && ++printed >= exitAfter) {
        stop(0);
      }
    }
    return changed;
  }

  private void onTimer(long ident) throws IOException {
    if (ident == TIMEOUT_TIMER) {
      if (!stopping) {
        stop(0);
      }
    } else if (ident == KILL_TIMER) {
      killArmed = false;
      if (command.running()) {
        err.println("kqwatch: command did not exit within " + stopTimeout.toMillis()
            + " ms, sending SIGKILL");
        command.kill();
      }
    } else if (ident == DEBOUNCE_TIMER && !stopping) {
      if (command.running()) {
        if (!restartPending) {
          restartPending = true;
          err.println("kqwatch: change seen, restarting " + command.display());
          terminateCommand();
        }
      } else {
        err.println("kqwatch: change seen, starting " + command.display());
        startOrReport();
      }
    }
  }

  private void onExit(Process p, long status) throws IOException {
    err.println("kqwatch: [pid " + p.pid() + "] " + command.display() + ": "
        + WaitStatus.describe(status));
    command.exited();
    if (killArmed) {
      killArmed = false;
      try {
        change(KEvent.of(KILL_TIMER, EVFILT_TIMER, EV_DELETE, 0, 0, null));
      } catch (KQueueException e) {
        if (e.errno() != Errno.ENOENT) {
          throw e;
        }
      }
    }
    if (restartPending && !stopping) {
      restartPending = false;
      startOrReport();
    }
  }

  private void onSignal(int sig, long count) throws IOException, InterruptedException {
    String name = "SIG" + Signals.name(sig);
    boolean ends = sig == Signals.SIGINT || sig == Signals.SIGTERM;
    if (command != null && command.running()) {
      if (ends && stopping) {
        err.println("kqwatch: " + name + " again, killing the command");
        command.kill();
        return;
      }
      err.println("kqwatch: " + name + " received, forwarding it to pid " + command.process().pid());
      command.signal(sig);
    } else {
      err.println("kqwatch: " + name + " received");
    }
    if (ends && !stopping) {
      stopping = true; // the command was signalled already; wait for its exit
      exitCode = 0;
      armKillTimer();
    }
  }

  /** Ends the loop with {@code code}, once the command (if any) has exited. */
  private void stop(int code) throws KQueueException {
    stopping = true;
    exitCode = code;
    terminateCommand();
  }

  private void terminateCommand() throws KQueueException {
    if (command != null && command.running()) {
      command.terminate();
      armKillTimer();
    }
  }

  private void armKillTimer() throws KQueueException {
    if (command != null && command.running()) {
      change(timer(KILL_TIMER, stopTimeout));
      killArmed = true;
    }
  }

  private void startOrReport() throws IOException {
    try {
      startCommand();
    } catch (IOException e) {
      err.println("kqwatch: cannot run " + command.display() + ": " + e.getMessage());
    }
  }

  /** Starts the command and watches its exit with EVFILT_PROC NOTE_EXIT. */
  private void startCommand() throws IOException {
    Process p = command.start();
    try {
      change(KEvent.of(p.pid(), EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, p));
    } catch (KQueueException e) {
      if (e.errno() != Errno.ESRCH) {
        throw e;
      }
      // Exited and reaped before we asked, as waitpid(2) would tell.
      try {
        onExit(p, WaitStatus.ofJdkExitValue(p.waitFor()));
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", ie);
      }
    }
  }

  private void change(KEvent ev) throws KQueueException {
    kq.kevent(new KEvent[] {ev}, null, Duration.ZERO);
  }

  /** A oneshot timer; re-adding one restarts it. */
  private static KEvent timer(long ident, Duration after) {
    return KEvent.of(ident, EVFILT_TIMER, EV_ADD | EV_ONESHOT, NOTE_NSECONDS, after.toNanos(), null);
  }

  /** Start-up progress on a terminal; nothing when the output goes elsewhere. */
  private StartupProgress progress() {
    if (System.console() == null) {
      return StartupProgress.NONE;
    }
    return (directories, entries, elapsedNanos, done) -> {
      err.printf("\rkqwatch: setting up: %,d directories, %,d entries", directories, entries);
      if (done) {
        err.println();
      }
      err.flush();
    };
  }
}
