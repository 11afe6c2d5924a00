package io.kqueue4j.samples;

import static io.kqueue4j.KEvent.*;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One thread, one kqueue, four kinds of event: starts the shell commands given as arguments,
 * waits for each to exit ({@code EVFILT_PROC}), prints a status line on a periodic timer ({@code
 * EVFILT_TIMER}), and takes progress reports from a worker thread ({@code EVFILT_USER}). Ends when
 * every command has exited and the worker has reported 100%, with the worst exit status.
 *
 * <pre>java io.kqueue4j.samples.Multiplex "sleep 0.3" "exit 3" "ls /"</pre>
 */
public final class Multiplex {
  private static final long STATUS_TIMER = 1;
  private static final long PROGRESS = 2;

  private final KQueue kq;
  private final PrintStream out;

  Multiplex(KQueue kq, PrintStream out) {
    this.kq = kq;
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    String[] commands = args.length > 0 ? args : new String[] {"sleep 0.5", "echo hello from a child", "ls / > /dev/null"};
    try (KQueue kq = KQueue.open()) {
      System.exit(new Multiplex(kq, System.out).run(commands));
    }
  }

  int run(String... commands) throws IOException, InterruptedException {
    Map<Long, String> running = new LinkedHashMap<>();
    List<KEvent> changes = new ArrayList<>();
    changes.add(KEvent.of(STATUS_TIMER, EVFILT_TIMER, EV_ADD, 0, 100, null));
    changes.add(KEvent.of(PROGRESS, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, null));
    for (String command : commands) {
      Process p = new ProcessBuilder("sh", "-c", command).inheritIO().start();
      running.put(p.pid(), command);
      changes.add(KEvent.of(p.pid(), EVFILT_PROC, EV_ADD | EV_RECEIPT, NOTE_EXIT, 0, p));
    }
    int worst = 0;
    int progress = 0;
    KEvent[] events = new KEvent[Math.max(16, changes.size())];
    int n = kq.kevent(changes.toArray(KEvent[]::new), events, null);
    Thread worker = startWorker(); // after the registration of the knote it triggers
    while (true) {
      for (int i = 0; i < n; i++) {
        KEvent ev = events[i];
        if ((ev.flags() & EV_ERROR) != 0) {
          if (ev.data() == 0) {
            continue; // the receipt of a successful registration
          }
          if (ev.filter() != EVFILT_PROC || ev.data() != Errno.ESRCH) {
            throw new KQueueException("kevent", (int) ev.data(), "change " + ev + " failed");
          }
          // ESRCH: the child exited and was reaped before we asked, as waitpid(2) would tell
          Process p = (Process) ev.udata();
          int status = p.waitFor();
          out.printf("exit   pid %d status %d (before registration): %s%n", ev.ident(), status,
              running.remove(ev.ident()));
          worst = Math.max(worst, status);
          continue;
        }
        switch (ev.filter()) {
          case EVFILT_PROC -> {
            int status = exitStatus(ev.data());
            out.printf("exit   pid %d status %d: %s%n", ev.ident(), status,
                running.remove(ev.ident()));
            worst = Math.max(worst, status);
          }
          case EVFILT_TIMER -> out.printf("timer  %d tick(s), %d running%n", ev.data(), running.size());
          case EVFILT_USER -> {
            progress = ev.fflags();
            out.printf("user   progress %d%%%n", progress);
          }
          default -> out.println("other  " + ev);
        }
      }
      if (running.isEmpty() && progress == 100) {
        break;
      }
      n = kq.kevent(null, events, null);
    }
    worker.join();
    return worst;
  }

  /** A worker that reports progress through EVFILT_USER, with the percentage in fflags. */
  private Thread startWorker() {
    Thread worker = new Thread(() -> {
      try {
        for (int percent = 25; percent <= 100; percent += 25) {
          Thread.sleep(50);
          kq.kevent(new KEvent[] {
            KEvent.of(PROGRESS, EVFILT_USER, 0, NOTE_TRIGGER | NOTE_FFCOPY | percent, 0, null)},
              null, java.time.Duration.ZERO);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (KQueueException e) {
        throw new IllegalStateException(e);
      }
    }, "progress");
    worker.start();
    return worker;
  }

  /** The exit code of a wait(2) status, or 128 + the signal for a killed process. */
  static int exitStatus(long waitStatus) {
    int status = (int) waitStatus;
    int signal = status & 0x7f;
    return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
  }
}
