package io.kqueue4j.filters.spi;

import io.kqueue4j.KQueueException;

/**
 * Where {@code EVFILT_PROC} learns that a process forked or executed a new image: the event source
 * behind FreeBSD's {@code knote_fork()} in {@code fork1()} and {@code KNOTE(&p->p_klist,
 * NOTE_EXEC)} in {@code do_execve()}.
 *
 * <p>Implementations are found with {@link java.util.ServiceLoader}; the available one with the
 * highest {@link #priority()} is used. There is no portable fallback: the JVM cannot see forks and
 * execs of other processes, so without a source {@code NOTE_FORK}, {@code NOTE_EXEC} and {@code
 * NOTE_TRACK} fail at registration.
 *
 * <p>A source sees every process of the system (or of its namespace) and tells each subscriber
 * about all of them; subscribers pick the pids they watch. One source serves the whole JVM with a
 * bounded number of threads, and holds its OS resources only while it has subscribers.
 */
public interface ProcessEventSource {

  /**
   * A short name saying which mechanism this is, such as {@code "proc-connector"}.
   *
   * @return the mechanism's name, for diagnostics
   */
  String name();

  /**
   * Among available sources the highest wins.
   *
   * @return this source's rank
   */
  int priority();

  /**
   * Whether the mechanism exists here (probed, not guessed). A source may be available and still
   * refuse {@link #subscribe} for lack of permission, which only subscribing can tell.
   *
   * @return {@code true} when the mechanism exists on this system
   */
  boolean isAvailable();

  /**
   * Why {@link #isAvailable()} is false, or null.
   *
   * @return the cause, or {@code null} when available or unknown (the default)
   */
  default Throwable unavailabilityCause() {
    return null;
  }

  /**
   * Starts reporting events to {@code listener}. The first subscriber starts the source (opens its
   * OS resources and its thread); later ones share it. The listener is called from the source's
   * thread, one event at a time and in the order the OS reported them, and may register and
   * remove knotes, but must not wait for other events.
   *
   * @param listener receives every fork, exec and exit the source sees, and losses
   * @return the subscription, to {@link Subscription#cancel() cancel} when no longer needed
   * @throws KQueueException {@code EPERM} when the OS refuses this process the events (a missing
   *     capability), {@code EOPNOTSUPP} when it cannot give them here at all (such as a namespace
   *     the OS does not report to), or the errno of a resource shortage; the message names the
   *     cause
   */
  Subscription subscribe(ProcessEventListener listener) throws KQueueException;

  /** Receives the process events of the whole system. */
  interface ProcessEventListener {
    /**
     * A process forked: {@code child} is a new process (threads are not reported), and {@code
     * parent} the process (not thread) that created it.
     *
     * @param parent the pid of the forking process
     * @param child the pid of the new process
     */
    void forked(long parent, long child);

    /**
     * Process {@code pid} executed a new image.
     *
     * @param pid the process that called {@code execve}
     */
    void executed(long pid);

    /**
     * Process {@code pid} exited (the whole process, not one of its threads).
     *
     * @param pid the process that exited
     * @param waitStatus the status in {@code wait(2)} encoding, or {@link
     *     ProcessExitSource#UNKNOWN_STATUS}
     */
    void exited(long pid, int waitStatus);

    /**
     * Events were lost (the OS dropped them, such as a full socket buffer): any fork, exec or exit
     * since the last call may have gone unreported.
     */
    void lost();
  }

  /** A running subscription. */
  @FunctionalInterface
  interface Subscription {
    /**
     * Stops reporting to the listener; the last subscription to go stops the source. After it
     * returns the listener is not called, except by a call already under way. Idempotent, and safe
     * from the listener itself.
     */
    void cancel();
  }
}
