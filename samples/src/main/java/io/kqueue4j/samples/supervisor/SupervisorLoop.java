package io.kqueue4j.samples.supervisor;

import static io.kqueue4j.KEvent.*;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.proc.WaitStatus;
import io.kqueue4j.filters.signal.Signals;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The supervisor's one event loop on one {@link KQueue}:
 *
 * <ul>
 *   <li>{@code EVFILT_PROC} {@code NOTE_EXIT} per child (udata: its {@link Program}), with the
 *       {@code wait(2)} status in {@code data};
 *   <li>{@code EVFILT_TIMER}, all in milliseconds: per program a oneshot restart timer (udata: the
 *       program) and a oneshot kill timer armed with each {@code SIGTERM} (udata: the {@link
 *       Process} it is for, so a late expiry cannot hit the next process); the periodic status
 *       report; the oneshot reload timer that lets a burst of file events settle;
 *   <li>{@code EVFILT_VNODE} on the config file, through {@link ConfigWatch};
 *   <li>{@code EVFILT_SIGNAL}: {@code SIGHUP} reloads; {@code SIGTERM} and {@code SIGINT} stop
 *       every program and end the loop once they have all exited; a second one kills them.
 * </ul>
 *
 * <p>A reload compares the new config with the last one applied: new programs start, removed ones
 * stop, changed ones stop and start with their new line once they have exited, others are left
 * alone. A config that cannot be read or parsed is reported with its line and changes nothing.
 *
 * <p>Not thread-safe: everything happens on the thread that calls {@link #run}.
 */
final class SupervisorLoop {
  private static final Duration RELOAD_DELAY = Duration.ofMillis(100);
  private static final long STATUS_TIMER = 0;
  private static final long RELOAD_TIMER = 1;
  private static final int[] SIGNALS = {Signals.SIGHUP, Signals.SIGINT, Signals.SIGTERM};

  private final KQueue kq;
  private final Path config;
  private final Duration statusInterval;
  private final Duration stopTimeout;
  private final boolean watch;
  private final Log log;
  private final Map<String, Program> programs = new LinkedHashMap<>();
  private Map<String, ProgramSpec> current = Map.of();
  private ConfigWatch configWatch;
  private boolean shuttingDown;
  private long nextId = 1; // program ids from 1: timer idents 2 and up, past the two above

  SupervisorLoop(KQueue kq, Path config, Duration statusInterval, Duration stopTimeout,
      boolean watch, Log log) {
    this.kq = kq;
    this.config = config;
    this.statusInterval = statusInterval;
    this.stopTimeout = stopTimeout;
    this.watch = watch;
    this.log = log;
  }

  /**
   * Starts {@code initial} and supervises until {@code SIGTERM} or {@code SIGINT} and the exit of
   * every program; returns 0 then. Any child still running when it throws is killed.
   */
  int run(Map<String, ProgramSpec> initial) throws IOException {
    try {
      for (int sig : SIGNALS) {
        watchSignal(sig);
      }
      if (watch) {
        configWatch = new ConfigWatch(kq, config);
      }
      if (!statusInterval.isZero()) {
        change(KEvent.of(STATUS_TIMER, EVFILT_TIMER, EV_ADD, NOTE_MSECONDS,
            statusInterval.toMillis(), null));
      }
      log.info("supervising %d program(s) from %s (pid %d); %s reloads, SIGTERM stops",
          initial.size(), config, ProcessHandle.current().pid(),
          watch ? "an edit or SIGHUP" : "SIGHUP");
      current = initial;
      for (ProgramSpec spec : initial.values()) {
        add(spec);
      }
      KEvent[] events = new KEvent[32];
      while (!(shuttingDown && programs.isEmpty())) {
        int n = kq.kevent(null, events, null);
        for (int i = 0; i < n; i++) {
          dispatch(events[i]);
        }
      }
      log.info("every program has stopped, exiting");
      return 0;
    } finally {
      for (Program p : programs.values()) {
        p.kill();
      }
      closeConfigWatch();
    }
  }

  private void dispatch(KEvent ev) throws IOException {
    if ((ev.flags() & EV_ERROR) != 0) {
      throw new KQueueException("kevent", (int) ev.data(), ev.toString());
    }
    switch (ev.filter()) {
      case EVFILT_PROC -> onExit((Program) ev.udata(), ev.ident(), ev.data());
      case EVFILT_TIMER -> onTimer(ev);
      case EVFILT_VNODE -> onConfigEvent(ev);
      case EVFILT_SIGNAL -> onSignal((int) ev.ident());
      default -> log.error("unexpected event %s", ev);
    }
  }

  // ---- processes

  private void add(ProgramSpec spec) throws KQueueException {
    Program p = new Program(nextId++, spec);
    programs.put(spec.name(), p);
    start(p);
  }

  /** Starts {@code p} and registers its exit; a command that cannot start waits for a retry. */
  private void start(Program p) throws KQueueException {
    Process process;
    try {
      process = p.start();
    } catch (IOException e) {
      log.error("cannot start %s: %s", p.name(), e.getMessage());
      scheduleRestart(p, p.failedToStart(e), p.name() + " did not start");
      return;
    }
    log.info("started %s (pid %d%s): %s", p.name(), process.pid(),
        p.downtime() == null ? ""
            : ", restart " + p.restarts() + ", " + Durations.format(p.downtime()) + " after the exit",
        p.spec().display());
    try {
      change(KEvent.of(process.pid(), EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, p));
    } catch (KQueueException e) {
      if (e.errno() != Errno.ESRCH) {
        throw e;
      }
      // ESRCH: it has exited and the JDK has reaped it already, as waitpid(2) would tell.
      onExit(p, process.pid(), WaitStatus.ofJdkExitValue(exitValue(process)));
    }
  }

  private void onExit(Program p, long pid, long status) throws KQueueException {
    Process process = p.process();
    if (process == null || process.pid() != pid) {
      return; // not its current process: that exit was handled already
    }
    String what = p.label() + " " + WaitStatus.describe(status);
    Duration up = p.exited(status);
    what += " after " + Durations.format(up);
    if (p.state() == Program.State.RUNNING && !shuttingDown) {
      scheduleRestart(p, up, what);
      return;
    }
    deleteTimer(p.killTimer());
    ProgramSpec next = p.after();
    if (next == null || shuttingDown) {
      programs.remove(p.name(), p);
      log.info("%s; %s", what, shuttingDown ? "stopped" : "removed");
    } else {
      log.info("%s; starting its new command", what);
      p.use(next);
      start(p);
    }
  }

  private void scheduleRestart(Program p, Duration uptime, String what) throws KQueueException {
    Duration delay = p.waitAfter(uptime);
    log.info("%s; restarting in %s", what, Durations.format(delay));
    change(KEvent.of(p.restartTimer(), EVFILT_TIMER, EV_ADD | EV_ONESHOT, NOTE_MSECONDS,
        delay.toMillis(), p));
  }

  /**
   * Stops {@code p} with {@code SIGTERM}, and {@code SIGKILL} after the stop timeout; once it has
   * exited, {@code next} starts, or the program goes when {@code next} is null.
   */
  private void stop(Program p, ProgramSpec next, String why) throws KQueueException {
    switch (p.state()) {
      case RUNNING -> {
        log.info("stopping %s: %s", p.label(), why);
        Process process = p.process();
        p.stopping(next);
        p.terminate();
        change(KEvent.of(p.killTimer(), EVFILT_TIMER, EV_ADD | EV_ONESHOT, NOTE_MSECONDS,
            stopTimeout.toMillis(), process));
      }
      case STOPPING -> p.stopping(next); // signalled already; only what follows changes
      case WAITING -> {
        deleteTimer(p.restartTimer());
        if (next == null) {
          programs.remove(p.name(), p);
          log.info("%s: %s; restart cancelled", p.name(), why);
        } else {
          log.info("%s: %s; starting it now", p.name(), why);
          p.use(next);
          start(p);
        }
      }
    }
  }

  // ---- timers

  private void onTimer(KEvent ev) throws IOException {
    long ident = ev.ident();
    if (ident == STATUS_TIMER) {
      status();
    } else if (ident == RELOAD_TIMER) {
      reload("config file changed");
    } else if (ev.udata() instanceof Program p) {
      if (p.state() == Program.State.WAITING && programs.get(p.name()) == p && !shuttingDown) {
        start(p);
      }
    } else if (ev.udata() instanceof Process target) {
      for (Program p : programs.values()) {
        if (p.process() == target && p.state() == Program.State.STOPPING) {
          log.info("%s did not exit within %s of SIGTERM, sending SIGKILL", p.label(),
              Durations.format(stopTimeout));
          p.kill();
        }
      }
    }
  }

  private void status() {
    long running = programs.values().stream()
        .filter(p -> p.state() == Program.State.RUNNING).count();
    log.info("status: %d program(s), %d running", programs.size(), running);
    for (Program p : programs.values()) {
      log.info("status:   %s", p.status());
    }
  }

  // ---- config

  private void onConfigEvent(KEvent ev) {
    if (configWatch == null) {
      return;
    }
    try {
      if (configWatch.onEvent(ev) && !shuttingDown) {
        // Re-adding a oneshot timer restarts it: the reload comes once the edits settle.
        change(KEvent.of(RELOAD_TIMER, EVFILT_TIMER, EV_ADD | EV_ONESHOT, NOTE_MSECONDS,
            RELOAD_DELAY.toMillis(), null));
      }
    } catch (KQueueException e) {
      log.error("no longer watching %s: %s; SIGHUP still reloads", config, e.getMessage());
      closeConfigWatch();
    }
  }

  private void closeConfigWatch() {
    if (configWatch != null) {
      try {
        configWatch.close();
      } catch (KQueueException e) {
        log.error("closing the watch of %s: %s", config, e.getMessage());
      }
      configWatch = null;
    }
  }

  private void reload(String reason) throws KQueueException {
    if (shuttingDown) {
      return;
    }
    Map<String, ProgramSpec> next;
    try {
      next = ConfigFile.read(config);
    } catch (ConfigException e) {
      log.error("%s; keeping the previous config", e.getMessage());
      return;
    }
    List<String> removed = current.keySet().stream().filter(n -> !next.containsKey(n)).toList();
    List<String> added = next.keySet().stream().filter(n -> !current.containsKey(n)).toList();
    List<String> changed = next.keySet().stream()
        .filter(n -> current.containsKey(n) && !current.get(n).equals(next.get(n))).toList();
    int unchanged = next.size() - added.size() - changed.size();
    if (removed.isEmpty() && added.isEmpty() && changed.isEmpty()) {
      log.info("reload (%s): no changes", reason);
      return;
    }
    log.info("reload (%s): %d added, %d removed, %d changed, %d unchanged", reason,
        added.size(), removed.size(), changed.size(), unchanged);
    current = next;
    for (String name : removed) {
      stop(Objects.requireNonNull(programs.get(name)), null, "removed from the config");
    }
    for (String name : changed) {
      stop(Objects.requireNonNull(programs.get(name)), next.get(name), "its line changed");
    }
    for (String name : added) {
      Program stopping = programs.get(name);
      if (stopping == null) {
        add(next.get(name));
      } else {
        stopping.stopping(next.get(name)); // removed earlier and still stopping: back afterwards
      }
    }
  }

  // ---- signals

  private void onSignal(int sig) throws KQueueException {
    String name = "SIG" + Signals.name(sig);
    if (sig == Signals.SIGHUP) {
      reload(name);
      return;
    }
    if (shuttingDown) {
      log.info("%s again: killing %d program(s)", name, programs.size());
      for (Program p : programs.values()) {
        p.kill();
      }
      return;
    }
    shuttingDown = true;
    log.info("%s received: stopping %d program(s)", name, programs.size());
    for (Program p : List.copyOf(programs.values())) {
      stop(p, null, "shutting down");
    }
  }

  /**
   * Registers {@code EVFILT_SIGNAL} for {@code sig}, which the JVM is told to ignore first ({@link
   * Signals#ignore}): for these three its own action is a shutdown, before the loop could act. A
   * signal that cannot be watched (such as {@code SIGHUP} under nohup) is reported, and the
   * supervisor goes on without it.
   */
  private void watchSignal(int sig) {
    try {
      Signals.ignore(sig);
      change(KEvent.of(sig, EVFILT_SIGNAL, EV_ADD, 0, 0, null));
    } catch (KQueueException e) {
      log.error("not handling SIG%s: %s", Signals.name(sig), e.getMessage());
    }
  }

  // ---- kevent

  private void change(KEvent ev) throws KQueueException {
    kq.kevent(new KEvent[] {ev}, null, Duration.ZERO);
  }

  /** Deletes a timer that may have fired and gone (oneshot) already. */
  private void deleteTimer(long ident) throws KQueueException {
    try {
      change(KEvent.of(ident, EVFILT_TIMER, EV_DELETE, 0, 0, null));
    } catch (KQueueException e) {
      if (e.errno() != Errno.ENOENT) {
        throw e;
      }
    }
  }

  private static int exitValue(Process process) throws KQueueException {
    try {
      return process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KQueueException("waitpid", Errno.EINTR, "interrupted", e);
    }
  }
}
