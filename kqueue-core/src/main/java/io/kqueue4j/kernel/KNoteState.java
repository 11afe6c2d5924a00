package io.kqueue4j.kernel;

/**
 * The status bits of a knote ({@code kn_status}), guarded by the owning kqueue's lock. Only {@link
 * KNote} and the kernel classes of this package change them.
 *
 * <p>Legal transitions:
 *
 * <ul>
 *   <li>{@link #DETACHED}: set at creation; cleared when attach succeeds; set again by {@link
 *       KNoteList#remove} (a filter that detached itself) or after {@link FilterOps#detach}. {@code
 *       detach} is called only while it is clear.
 *   <li>{@link #ACTIVE}: set by activation (the event is true); cleared when the scan delivers an
 *       {@code EV_CLEAR}/{@code EV_DISPATCH} knote or finds the condition false. Kept while
 *       disabled, so {@code EV_ENABLE} re-queues the knote.
 *   <li>{@link #QUEUED}: set when the knote is put on the active queue, which happens only when it
 *       is {@code ACTIVE} and not {@code DISABLED}; cleared when it leaves the queue, except while
 *       the scan holds it ({@link #SCAN}), so that a concurrent activation does not queue it twice.
 *   <li>{@link #DISABLED}: set by {@code EV_DISABLE} and by delivery of an {@code EV_DISPATCH}
 *       knote; cleared by {@code EV_ENABLE}.
 *   <li>{@link #INFLUX}: set by the one thread that works on the knote without the kqueue lock
 *       (attach, touch, delivery, drop); every other thread that wants to change the knote waits
 *       for it to clear ({@code KQ_FLUXWAIT}).
 *   <li>{@link #SCAN}: set with {@code INFLUX} while the scan delivers the knote. An activation that
 *       arrives then sets {@link #REACTIVATED} instead of queueing, and the scan re-queues the knote
 *       when it is done, so no hint is lost (FreeBSD's {@code KN_SCAN}, made lossless).
 *   <li>{@link #DROPPED}: final; set once the knote has left its kqueue. Activations are ignored.
 *   <li>{@link #MARKER}: constant; the knote is a scan's marker and never leaves its scan.
 * </ul>
 */
final class KNoteState {
  static final int ACTIVE = 0x01;
  static final int QUEUED = 0x02;
  static final int DISABLED = 0x04;
  static final int DETACHED = 0x08;
  static final int INFLUX = 0x10;
  static final int MARKER = 0x20;
  static final int SCAN = 0x100;
  static final int REACTIVATED = 0x200;
  static final int DROPPED = 0x400;

  private KNoteState() {}
}
