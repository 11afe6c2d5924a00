package io.kqueue4j.filters.descriptor;

import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.EventPump;

/**
 * One descriptor watched by a {@link ReadinessSource}, shared by every knote on that descriptor in
 * every kqueue. Created by {@link ReadinessSource#watch}; the filters of this package call its
 * methods, never concurrently with {@link #close()}.
 *
 * <p>{@link #probe} runs under the lock of the knote list being evaluated, possibly on the source's
 * thread and a kevent caller at once (one per side), so implementations keep it free of shared
 * mutable state or make that state thread-safe. The other methods run under the filters' registry
 * lock, one at a time.
 */
public interface DescriptorWatch {

  /**
   * What the descriptor is; may change after {@link #revalidate()}.
   *
   * @return the kind whose FreeBSD filter rules apply to the descriptor's knotes
   */
  DescriptorKind kind();

  /**
   * Whether the descriptor was opened for reading. {@code EVFILT_READ} on a pipe end that was not
   * never fires (FreeBSD's {@code pipe_nfiltops}); other kinds ignore it.
   *
   * @return {@code false} when the descriptor was opened write-only, else {@code true} (the
   *     default, for sources that cannot tell)
   */
  default boolean readOpen() {
    return true;
  }

  /**
   * Whether the descriptor was opened for writing; as {@link #readOpen()}, for {@code
   * EVFILT_WRITE}.
   *
   * @return {@code false} when the descriptor was opened read-only, else {@code true} (the
   *     default, for sources that cannot tell)
   */
  default boolean writeOpen() {
    return true;
  }

  /**
   * Reads the descriptor's state now into {@code out} (cleared by the caller).
   *
   * @param hint 0 when the kernel re-checks (after registration, before delivery), else what the
   *     source passed to its {@link ReadinessListener}
   * @param read {@code true} for the read side's facts, {@code false} for the write side's
   * @param out where the facts go, already cleared; fields the source cannot tell stay 0 or {@code
   *     false}
   */
  void probe(long hint, boolean read, Readiness out);

  /**
   * Which sides have knotes, so that the source watches only those; called after every change of
   * either count, first right after {@link ReadinessSource#watch}.
   *
   * @param read whether to watch the read side: it has {@code EVFILT_READ} knotes, counting one
   *     being attached
   * @param write whether to watch the write side: it has {@code EVFILT_WRITE} knotes, counting one
   *     being attached
   * @throws KQueueException when the OS refuses to watch the descriptor; the registration that
   *     caused the call fails with that errno
   */
  void interest(boolean read, boolean write) throws KQueueException;

  /**
   * The descriptor number is being registered again: if it now refers to another object (the old
   * one was closed behind the kernel's back and the number reused), re-classify it and watch the
   * new object. Called on every {@code EV_ADD} of an existing descriptor.
   */
  default void revalidate() {}

  /**
   * The filter found {@code read}'s side not ready. Sources whose notifications are level-triggered
   * (a JDK {@code Selector}) resume watching that side here; edge-triggered sources ignore it.
   *
   * @param read {@code true} for the read side, {@code false} for the write side
   */
  default void rearm(boolean read) {}

  /**
   * An event of {@code read}'s side was just delivered. Level-triggered sources forget what they
   * reported and resume watching; edge-triggered sources ignore it.
   *
   * @param read {@code true} for the read side, {@code false} for the write side
   */
  default void delivered(boolean read) {}

  /** Stops watching; called once, when the last knote on the descriptor is gone. */
  void close();

  /**
   * Whether the hint of a post shows the side ready on its own, so that the knote is activated
   * without a probe: a non-oneshot knote is probed again by the scan before delivery (FreeBSD's
   * re-check), which sets {@code data} and applies the low-water mark then. End of file and errors
   * must not be reported this way; they are set on the knote when posted.
   *
   * @param hint the hint of {@link ReadinessListener#readReady} or {@link
   *     ReadinessListener#writeReady}
   * @param read the side
   * @return {@code true} when the hint shows readiness without end of file or error; {@code false}
   *     (the default) to probe
   */
  default boolean readyByHint(long hint, boolean read) {
    return false;
  }

  /**
   * The pump that polls this watch's source, if it has one: a kqueue with knotes on the watch lets
   * its {@code kevent} caller poll the source itself (see {@link EventPump}).
   *
   * @return the source's pump, or {@code null} (the default) when the source runs its own threads
   */
  default EventPump pump() {
    return null;
  }
}
