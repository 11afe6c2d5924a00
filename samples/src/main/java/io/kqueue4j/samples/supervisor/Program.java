package io.kqueue4j.samples.supervisor;

import io.kqueue4j.filters.proc.WaitStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * One supervised program: its spec, its running process if any, and its restart state. Only the
 * supervisor's loop thread uses it.
 *
 * <p>States: {@link State#RUNNING} (a process runs; its exit schedules a restart), {@link
 * State#WAITING} (its restart timer is armed), {@link State#STOPPING} ({@code SIGTERM} sent; its
 * exit starts {@link #after()}, or removes the program when that is null).
 */
final class Program {
  /** Where the program is in its life. */
  enum State {
    RUNNING,
    WAITING,
    STOPPING
  }

  private final long id;
  private ProgramSpec spec;
  private Backoff backoff;
  private State state;
  private Process process;
  private long startedNanos;
  private long changedNanos;
  private long restartNanos;
  private Duration downtime;
  private int starts;
  private String lastExit;
  private ProgramSpec after;

  /** A program that has not started yet; {@code id} makes its timer idents unique. */
  Program(long id, ProgramSpec spec) {
    this.id = id;
    use(spec);
  }

  /** The ident of its restart timer ({@code EVFILT_TIMER}). */
  long restartTimer() {
    return 2 * id;
  }

  /** The ident of the timer that sends {@code SIGKILL} when a stop takes too long. */
  long killTimer() {
    return 2 * id + 1;
  }

  String name() {
    return spec.name();
  }

  ProgramSpec spec() {
    return spec;
  }

  State state() {
    return state;
  }

  /** The running process, or null. */
  Process process() {
    return process;
  }

  /** What starts once the stopping process has exited; null: the program goes away. */
  ProgramSpec after() {
    return after;
  }

  /** Takes {@code next} as its spec, with a fresh backoff and restart count. */
  void use(ProgramSpec next) {
    spec = next;
    backoff = new Backoff(next);
    starts = 0;
  }

  /** Starts the command, sharing the supervisor's standard streams. */
  Process start() throws IOException {
    starts++;
    process = new ProcessBuilder(spec.command()).inheritIO().start();
    long now = System.nanoTime();
    downtime = starts > 1 && state == State.WAITING ? Duration.ofNanos(now - changedNanos) : null;
    startedNanos = now;
    changedNanos = now;
    state = State.RUNNING;
    return process;
  }

  /** For a restart, how long it was down: from the last exit to this start; else null. */
  Duration downtime() {
    return downtime;
  }

  /** How many times it was started again after the first start of its current spec. */
  int restarts() {
    return Math.max(0, starts - 1);
  }

  /** Records the exit (a {@code wait(2)} status) and returns how long the process ran. */
  Duration exited(long status) {
    lastExit = WaitStatus.describe(status);
    return cleared();
  }

  /** Records that the command could not be started; returns 0, its run time. */
  Duration failedToStart(IOException e) {
    lastExit = "could not start: " + e.getMessage();
    startedNanos = System.nanoTime();
    return cleared();
  }

  private Duration cleared() {
    process = null;
    long now = System.nanoTime();
    changedNanos = now;
    return Duration.ofNanos(now - startedNanos);
  }

  /** Enters {@link State#WAITING} and returns the delay before the restart. */
  Duration waitAfter(Duration uptime) {
    state = State.WAITING;
    Duration delay = backoff.next(uptime);
    restartNanos = System.nanoTime() + delay.toNanos();
    return delay;
  }

  /** Enters {@link State#STOPPING}: after the exit, {@code next} starts (null: removed). */
  void stopping(ProgramSpec next) {
    after = next;
    if (state != State.STOPPING) {
      state = State.STOPPING;
      changedNanos = System.nanoTime();
    }
  }

  /** Sends {@code SIGTERM} to the process and to its descendants. */
  void terminate() {
    signal(false);
  }

  /** Sends {@code SIGKILL} to the process and to its descendants. */
  void kill() {
    signal(true);
  }

  private void signal(boolean kill) {
    if (process == null) {
      return;
    }
    // Listed before the signal: once the parent is gone they are no longer its descendants.
    List<ProcessHandle> descendants = process.descendants().toList();
    if (kill) {
      process.destroyForcibly();
      descendants.forEach(ProcessHandle::destroyForcibly);
    } else {
      process.destroy();
      descendants.forEach(ProcessHandle::destroy);
    }
  }

  /** {@code web (pid 123)}, or the bare name when nothing runs. */
  String label() {
    return process == null ? name() : name() + " (pid " + process.pid() + ")";
  }

  /** One status line: state, pid, times, restarts and the last exit. */
  String status() {
    String restarts = restarts() + " restart(s)";
    String last = lastExit == null ? "" : ", last " + lastExit;
    return switch (state) {
      case RUNNING -> name() + ": running, pid " + process.pid() + ", up "
          + Durations.since(startedNanos) + ", " + restarts + last;
      case WAITING -> name() + ": waiting, restart in "
          + Durations.format(Duration.ofNanos(Math.max(0, restartNanos - System.nanoTime())))
          + ", " + restarts + last;
      case STOPPING -> name() + ": stopping, " + (process == null ? "" : "pid " + process.pid() + ", ")
          + "for " + Durations.since(changedNanos);
    };
  }
}
