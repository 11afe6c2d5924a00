package io.kqueue4j.samples.kqwatch;

import io.kqueue4j.filters.signal.Signals;
import java.io.IOException;
import java.util.List;

/**
 * The command kqwatch runs on change: at most one instance at a time, sharing kqwatch's standard
 * streams. Signals other than {@code SIGTERM} are sent with {@code kill(1)}, as the JDK can only
 * send {@code SIGTERM} and {@code SIGKILL}.
 */
final class Command {
  private final List<String> argv;
  private Process process;
  private int runs;

  Command(List<String> argv) {
    this.argv = List.copyOf(argv);
  }

  /** Starts a new instance; the previous one must have exited. */
  Process start() throws IOException {
    if (process != null) {
      throw new IllegalStateException("the command is still running: " + process.pid());
    }
    process = new ProcessBuilder(argv).inheritIO().start();
    runs++;
    return process;
  }

  /** The running instance, or null. */
  Process process() {
    return process;
  }

  boolean running() {
    return process != null;
  }

  /** Forget the instance that exited. */
  void exited() {
    process = null;
  }

  int runs() {
    return runs;
  }

  String display() {
    return String.join(" ", argv);
  }

  /** Asks the command and its descendants to stop ({@code SIGTERM}). */
  void terminate() {
    if (process != null) {
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
    }
  }

  /** Kills the command and its descendants ({@code SIGKILL}). */
  void kill() {
    if (process != null) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  /** Sends signal {@code signal} (a FreeBSD number, as EVFILT_SIGNAL idents are) to the command. */
  void signal(int signal) throws IOException, InterruptedException {
    if (process == null) {
      return;
    }
    if (signal == Signals.SIGTERM) {
      process.destroy();
      return;
    }
    String name = Signals.name(signal);
    Process kill =
        new ProcessBuilder("kill", "-s", name, Long.toString(process.pid()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (kill.waitFor() != 0) {
      throw new IOException("kill -s " + name + " " + process.pid() + " failed");
    }
  }
}
