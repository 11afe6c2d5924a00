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
 * The expiration count is a volatile field updated with atomic read-modify-write: the timer thread
 * adds to it before it activates the knote, and the scan's {@code process} takes it with {@code
 * getAndSet}, so an expiry that races with a delivery is either in that delivery or activates the
 * knote again; none is lost.
 */
package io.kqueue4j.filters.timer;
