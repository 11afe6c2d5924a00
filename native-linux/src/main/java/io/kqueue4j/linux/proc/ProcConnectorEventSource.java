package io.kqueue4j.linux.proc;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.spi.ProcessEventSource;
import io.kqueue4j.linux.Epoll;
import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.EventFd;
import io.kqueue4j.linux.LinuxErrno;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The Linux {@link ProcessEventSource}: the kernel's process-event connector ({@code
 * CONFIG_PROC_EVENTS}), a netlink multicast of every fork, exec and exit in the system, read by
 * one daemon thread ({@code kqueue4j-proc-connector}) for every subscriber of the JVM.
 *
 * <p>Nothing is opened until the first {@link #subscribe}, which opens the socket, starts the
 * thread and sends {@code PROC_CN_MCAST_LISTEN}; the last {@link Subscription#cancel()} sends
 * {@code PROC_CN_MCAST_IGNORE}, stops the thread and closes everything. Where the events are
 * refused:
 *
 * <ul>
 *   <li>outside the initial network namespace the connector does not exist: {@code socket} fails
 *       with {@code EPROTONOSUPPORT} and {@link #isAvailable()} is false;
 *   <li>without {@code CAP_NET_ADMIN} (where the kernel asks for it) the kernel answers the request
 *       with {@code EPERM}: {@link #subscribe} fails with {@link Errno#EPERM};
 *   <li>outside the initial user or PID namespace the kernel ignores the request without an answer:
 *       {@link #subscribe} fails with {@link Errno#EOPNOTSUPP} after {@link #ANSWER_TIMEOUT_MILLIS}.
 * </ul>
 *
 * These refusals are remembered: later subscriptions fail at once with the same reason. The wait
 * for the kernel's answer is not ended by {@link Thread#interrupt()}, as a change waiting for a
 * knote in flux is not: an interrupted subscription gets the kernel's answer like any other, and
 * returns or fails with the interrupt status still set.
 *
 * <p>Only processes are reported: a fork whose child is a thread (its pid differs from its tgid)
 * and the exit of a thread other than the leader are skipped. A full socket buffer ({@code
 * ENOBUFS}) is reported to every subscriber as {@link ProcessEventListener#lost()}. An exception
 * or error thrown by a listener goes to the thread's uncaught-exception handler, and the thread
 * goes on serving every subscriber.
 */
public final class ProcConnectorEventSource implements ProcessEventSource {

  /** {@value}. */
  public static final String NAME = "proc-connector";

  /** How long the kernel has to answer {@code PROC_CN_MCAST_LISTEN}: {@value} ms. */
  public static final int ANSWER_TIMEOUT_MILLIS = 2000;

  private final Object lock = new Object();
  private final CopyOnWriteArrayList<Entry> subscribers = new CopyOnWriteArrayList<>();
  /** Guarded by {@link #lock}. */
  private ProcConnectorReader reader;
  /** A refusal that will not change while this JVM runs; guarded by {@link #lock}. */
  private KQueueException refusal;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return 100;
  }

  @Override
  public boolean isAvailable() {
    return unavailabilityCause() == null;
  }

  @Override
  public Throwable unavailabilityCause() {
    try {
      if (!ProcConnectorSocket.availability().isAvailable()) {
        return ProcConnectorSocket.availability().cause();
      }
      if (!Epoll.isAvailable()) {
        return Epoll.unavailabilityCause();
      }
      return EventFd.isAvailable() ? null : EventFd.unavailabilityCause();
    } catch (LinkageError e) {
      return e;
    }
  }

  /** Whether the connector is being read now: some subscription is live; for tests. */
  public boolean isRunning() {
    synchronized (lock) {
      return reader != null;
    }
  }

  @Override
  public Subscription subscribe(ProcessEventListener listener) throws KQueueException {
    synchronized (lock) {
      if (refusal != null) {
        throw new KQueueException("kevent", refusal.errno(), refusal.getMessage(), refusal);
      }
      if (reader == null || reader.hasFailed()) {
        reader = start(); // a failed reader told its subscribers (lost) and closed everything
      }
      Entry entry = new Entry(listener);
      subscribers.add(entry);
      return entry;
    }
  }

  private ProcConnectorReader start() throws KQueueException {
    Throwable unavailable = unavailabilityCause();
    if (unavailable != null) {
      throw new KQueueException("kevent", Errno.EOPNOTSUPP,
          "the process-event connector is not available here: " + unavailable, unavailable);
    }
    ProcConnectorReader started;
    try {
      started = ProcConnectorReader.start(this::dispatch);
    } catch (ErrnoException e) {
      throw remember(refusalOf(e, "joining its multicast group"));
    }
    int answer;
    try {
      answer = started.listen(ANSWER_TIMEOUT_MILLIS);
    } catch (ErrnoException e) {
      started.stop();
      throw remember(refusalOf(e, "sending PROC_CN_MCAST_LISTEN"));
    }
    if (answer == 0) {
      return started;
    }
    started.stop();
    if (answer == ProcConnectorReader.NO_ANSWER) {
      throw remember(new KQueueException("kevent", Errno.EOPNOTSUPP,
          "the process-event connector did not answer PROC_CN_MCAST_LISTEN within "
              + ANSWER_TIMEOUT_MILLIS + " ms: Linux ignores listeners outside the initial user"
              + " and PID namespaces (a container)"));
    }
    throw remember(refusalOf(new ErrnoException("PROC_CN_MCAST_LISTEN", answer),
        "asking for process events"));
  }

  /** EPERM and EACCES are the permission refusals; the rest keep their errno, by name. */
  private static KQueueException refusalOf(ErrnoException e, String step) {
    if (e.errno() == LinuxErrno.EPERM || e.errno() == LinuxErrno.EACCES) {
      return new KQueueException("kevent", Errno.EPERM, "the process-event connector refused "
          + step + " (" + e.getMessage() + "): process events need CAP_NET_ADMIN", e);
    }
    return new KQueueException("kevent", ProcErrno.of(e),
        "the process-event connector failed " + step + ": " + e.getMessage(), e);
  }

  /** Keeps a refusal that will not change (permission, namespace); passes it on either way. */
  private KQueueException remember(KQueueException e) {
    if (e.errno() == Errno.EPERM || e.errno() == Errno.EOPNOTSUPP) {
      refusal = e;
    }
    return e;
  }

  /** From the reader's thread, without locks: every live subscriber, in order. */
  private void dispatch(java.util.function.Consumer<ProcessEventListener> event) {
    for (Entry entry : subscribers) {
      if (!entry.cancelled) {
        try {
          event.accept(entry.listener);
        } catch (RuntimeException | Error e) { // one listener's failure must not stop the rest
          Thread current = Thread.currentThread();
          current.getUncaughtExceptionHandler().uncaughtException(current, e);
        }
      }
    }
  }

  @Override
  public String toString() {
    return "ProcConnectorEventSource[subscribers=" + subscribers.size() + "]";
  }

  /** One subscription. */
  private final class Entry implements Subscription {
    final ProcessEventListener listener;
    volatile boolean cancelled;

    Entry(ProcessEventListener listener) {
      this.listener = listener;
    }

    @Override
    public void cancel() {
      synchronized (lock) {
        cancelled = true;
        if (subscribers.remove(this) && subscribers.isEmpty() && reader != null) {
          reader.stop(); // does not wait for the thread, so it is safe from a listener
          reader = null;
        }
      }
    }
  }
}
