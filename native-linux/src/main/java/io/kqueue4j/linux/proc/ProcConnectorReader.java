package io.kqueue4j.linux.proc;

import io.kqueue4j.filters.spi.ProcessEventSource.ProcessEventListener;
import io.kqueue4j.linux.Epoll;
import io.kqueue4j.linux.EpollEventArray;
import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.EventFd;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One run of the connector: a {@link ProcConnectorSocket}, an eventfd to stop it, both in an epoll
 * instance, and the thread ({@code kqueue4j-proc-connector}) that waits on it, decodes each
 * datagram and hands process events to the source's subscribers.
 *
 * <p>{@link #listen} and {@link #stop} are called by the source under its lock, once each; every
 * descriptor is closed by the thread as it ends, so no call races with a close.
 */
final class ProcConnectorReader implements ProcConnectorMessages.Handler {

  /** What {@link #listen} returns when the kernel did not answer. */
  static final int NO_ANSWER = -1;

  private static final long SOCKET = 0;
  private static final long WAKEUP = 1;

  private final Consumer<Consumer<ProcessEventListener>> dispatcher;
  private final ProcConnectorSocket socket;
  private final Epoll epoll;
  private final EventFd wakeup;
  /**
   * The request's {@code ack} number: the kernel answers with it plus one (and a {@code seq} of its
   * own), which tells this answer from those to other listeners.
   */
  private final int token = ThreadLocalRandom.current().nextInt();
  private final CompletableFuture<Integer> answer = new CompletableFuture<>();
  private volatile boolean listening;
  private volatile boolean stopped;
  private volatile boolean failed;

  private ProcConnectorReader(Consumer<Consumer<ProcessEventListener>> dispatcher,
      ProcConnectorSocket socket, Epoll epoll, EventFd wakeup) {
    this.dispatcher = dispatcher;
    this.socket = socket;
    this.epoll = epoll;
    this.wakeup = wakeup;
  }

  /**
   * Opens the socket, joins the group and starts the thread; nothing is asked of the kernel yet.
   *
   * @param dispatcher hands one event to every subscriber
   */
  static ProcConnectorReader start(Consumer<Consumer<ProcessEventListener>> dispatcher)
      throws ErrnoException {
    ProcConnectorSocket socket = ProcConnectorSocket.open();
    Epoll epoll = null;
    EventFd wakeup = null;
    try {
      epoll = Epoll.open();
      wakeup = EventFd.open();
      epoll.add(socket.fd(), Epoll.EPOLLIN, SOCKET);
      epoll.add(wakeup.fd(), Epoll.EPOLLIN, WAKEUP);
    } catch (ErrnoException | RuntimeException e) {
      closeQuietly(socket, epoll, wakeup);
      throw e;
    }
    ProcConnectorReader reader = new ProcConnectorReader(dispatcher, socket, epoll, wakeup);
    Thread thread = new Thread(reader::run, "kqueue4j-proc-connector");
    thread.setDaemon(true);
    thread.start();
    return reader;
  }

  /**
   * Sends {@code PROC_CN_MCAST_LISTEN} and waits for the kernel's answer. An interrupt does not end
   * the wait, so {@link #NO_ANSWER} always means the kernel was silent for the whole time; the
   * interrupt status is set again on return.
   *
   * @return 0 when events will come, the Linux errno of a refusal, or {@link #NO_ANSWER}
   */
  int listen(int timeoutMillis) throws ErrnoException {
    socket.send(ProcConnectorMessages.PROC_CN_MCAST_LISTEN, 0, token);
    listening = true;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true; // the status is cleared: the next get waits
        }
      }
    } catch (TimeoutException e) {
      return NO_ANSWER;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Whether the thread ended on a failure (after reporting a loss); a new reader is needed. */
  boolean hasFailed() {
    return failed;
  }

  /** Asks the thread to send {@code PROC_CN_MCAST_IGNORE}, close everything and end; no wait. */
  void stop() {
    stopped = true;
    try {
      wakeup.signal();
    } catch (ErrnoException e) {
      // EBADF: the thread ended already (after a failure) and closed everything
    }
  }

  private void run() {
    EpollEventArray ready = new EpollEventArray(2);
    try {
      while (!stopped) {
        epoll.waitEvents(ready, -1);
        drainSocket();
      }
    } catch (ErrnoException | RuntimeException | Error e) {
      failed = true;
      if (!stopped) {
        dispatch(ProcessEventListener::lost); // whatever was watched may now miss events
        Thread current = Thread.currentThread();
        current.getUncaughtExceptionHandler().uncaughtException(current,
            new IllegalStateException("the process-event connector's reader failed", e));
      }
    } finally {
      if (listening) {
        try {
          socket.send(ProcConnectorMessages.PROC_CN_MCAST_IGNORE, 0, token);
        } catch (ErrnoException e) {
          // the listener count is the kernel's; closing the socket is what matters here
        }
      }
      closeQuietly(socket, epoll, wakeup);
    }
  }

  /** Reads until the socket is empty; a full buffer ({@code ENOBUFS}) is reported as a loss. */
  private void drainSocket() throws ErrnoException {
    while (!stopped) {
      try {
        if (!socket.receive(this)) {
          return;
        }
      } catch (ErrnoException e) {
        if (!"ENOBUFS".equals(e.errnoName())) {
          throw e;
        }
        dispatch(ProcessEventListener::lost);
      }
    }
  }

  @Override
  public void fork(int parentPid, int parentTgid, int childPid, int childTgid) {
    if (childPid == childTgid) { // a new process, not a thread
      dispatch(l -> l.forked(parentTgid, childTgid));
    }
  }

  @Override
  public void exec(int pid, int tgid) {
    dispatch(l -> l.executed(tgid));
  }

  @Override
  public void exit(int pid, int tgid, int exitCode) {
    if (pid == tgid) { // the process, not one of its other threads
      dispatch(l -> l.exited(tgid, exitCode));
    }
  }

  @Override
  public void ack(int seq, int ack, int err) {
    if (ack == token + 1) {
      answer.complete(err);
    }
  }

  private void dispatch(Consumer<ProcessEventListener> event) {
    if (!stopped) {
      dispatcher.accept(event);
    }
  }

  private static void closeQuietly(ProcConnectorSocket socket, Epoll epoll, EventFd wakeup) {
    socket.close();
    try {
      if (epoll != null) {
        epoll.close();
      }
      if (wakeup != null) {
        wakeup.close();
      }
    } catch (ErrnoException e) {
      // released by Linux whatever close reports
    }
  }
}
