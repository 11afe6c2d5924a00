/**
 * {@code EVFILT_SIGNAL}: {@link io.kqueue4j.filters.signal.SignalFilter} on the JVM's own signal
 * dispatch ({@code sun.misc.Signal}), and FreeBSD's signal numbers in {@link
 * io.kqueue4j.filters.signal.Signals}. No signalfd: on Linux it sees only signals aimed at a thread
 * that blocks them, and a process-directed signal lands on any JVM thread.
 *
 * <h2>Locks</h2>
 *
 * The JVM runs a signal's handler on a thread of its own; the handler posts to the signal's knote
 * list, whose lock orders the count with the scan's read-and-reset ({@code EV_CLEAR}), so no
 * delivery is lost or counted twice.
 */
package io.kqueue4j.filters.signal;
