/**
 * {@code EVFILT_TIMER}: {@link io.kqueue4j.filters.timer.TimerFilter} and the one {@link
 * io.kqueue4j.filters.timer.TimerService} (a queue per period, a heap, and an event pump) that times
 * every timer of every kqueue.
 *
 * <h2>Locks</h2>
 *
 * A timer service's lock is taken before any kqueue's lock: the timer thread activates knotes
 * while holding it, and the filter's {@code attach}, {@code touch} and {@code detach} take it
 * while their knote is in flux and no kqueue lock is held. Because expiries run under the lock and
 * {@code detach} cancels under it, no knote is activated after its {@code detach} returned.
 *
 * <h2>Memory consistency</h2>
 *
 * The expiration count is guarded by the knote's kqueue lock: an expiry adds to it holding that
 * lock (through the service's {@link io.kqueue4j.kernel.ActivationBatch}) and activates the knote
 * in the same hold when the count was 0, and the scan's {@code process} takes it under the lock, so
 * an expiry is either in a delivery or activates the knote again; none is lost. A restart takes it
 * after cancelling the timer, with the knote in flux, when neither can run. Readers without the
 * lock ({@code filt_timer}) use acquire loads.
 */
package io.kqueue4j.filters.timer;
