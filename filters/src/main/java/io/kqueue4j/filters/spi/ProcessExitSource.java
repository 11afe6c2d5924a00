package io.kqueue4j.filters.spi;

import io.kqueue4j.KQueueException;

/**
 * Where {@code EVFILT_PROC} learns that a process has exited: the event source behind FreeBSD's
 * {@code KNOTE(&p->p_klist, NOTE_EXIT)} in {@code exit1()}.
 *
 * <p>Implementations are found with {@link java.util.ServiceLoader}; the available one with the
 * highest {@link #priority()} is used for every kqueue, and the portable one built on {@link
 * ProcessHandle#onExit()} when none is. One source serves every watched process of the JVM; it
 * must not use a thread per process.
 */
public interface ProcessExitSource {

  /** A wait status that the source could not learn. */
  int UNKNOWN_STATUS = -1;

  /**
   * A short name saying which mechanism this is, such as {@code "pidfd"} or {@code "portable"}.
   *
   * @return the mechanism's name, for diagnostics
   */
  String name();

  /**
   * Among available sources the highest wins; the portable source has 0.
   *
   * @return this source's rank
   */
  int priority();

  /**
   * Whether the source works here (probed, not guessed).
   *
   * @return {@code true} when the source can watch processes on this system
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
   * Starts watching {@code pid}. The listener is called exactly once when the process has exited,
   * from any thread and possibly before this method returns (a process that is a zombie already),
   * unless {@link Watch#cancel()} is called first. It must not block.
   *
   * @param pid the process to watch
   * @param listener called once with the exit's wait status
   * @return the watch, to {@link Watch#cancel() cancel} when no longer needed
   * @throws KQueueException {@code ESRCH} when there is no such process (reaped zombies included),
   *     or the errno of a resource shortage ({@code EMFILE}, {@code ENOMEM}) with a message naming
   *     it
   */
  Watch watch(long pid, ExitListener listener) throws KQueueException;

  /**
   * Whether {@code pid} has exited already or does not exist, counting zombies as exited ({@code
   * EVFILT_PROC} without {@code NOTE_EXIT} refuses those with {@code ESRCH}, as FreeBSD's {@code
   * pfind} does).
   *
   * @param pid the process to look up
   * @return {@code true} when {@code pid} is a zombie or no process
   */
  boolean hasExited(long pid);

  /** Receives the exit of a watched process. */
  @FunctionalInterface
  interface ExitListener {
    /**
     * Called once, from the source's thread, when the process has exited.
     *
     * @param waitStatus the status in {@code wait(2)} encoding ({@code WIFEXITED}, {@code
     *     WTERMSIG}, ...), or {@link #UNKNOWN_STATUS}
     */
    void exited(int waitStatus);
  }

  /** A running watch. */
  @FunctionalInterface
  interface Watch {
    /**
     * Stops watching and releases what the watch holds; after it returns the listener is not
     * called, except by a call already under way. Idempotent.
     */
    void cancel();
  }
}
