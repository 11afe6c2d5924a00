package io.kqueue4j.filters.proc;

import io.kqueue4j.kernel.KNote;

/**
 * What {@link ProcFilter} keeps per knote ({@code kn_hook}): the watched process, and the state
 * that {@code NOTE_TRACK} needs. Fields other than the final ones are guarded by the lock of the
 * process's knote list.
 */
final class ProcNote {
  final KNote kn;
  final ProcFilter.Watched process;
  /**
   * The parent pid of a pending {@code NOTE_CHILD}, or -1. FreeBSD registers a separate oneshot
   * knote for it; here the child's one knote delivers it first, and its other events after.
   */
  long childOf = -1;
  /** The process exited while {@link #childOf} was pending: the exit is delivered after it. */
  boolean exitPending;
  /** Registering a child in this knote's kqueue failed: the next {@code NOTE_FORK} says so. */
  boolean trackFailed;
  /**
   * Whether this knote holds a reference on the filter's process-event subscription; written under
   * the list lock, read also under the filter's map lock, hence volatile.
   */
  volatile boolean subscribed;

  ProcNote(KNote kn, ProcFilter.Watched process) {
    this.kn = kn;
    this.process = process;
  }
}
