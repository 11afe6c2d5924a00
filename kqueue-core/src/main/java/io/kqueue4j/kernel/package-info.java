/**
 * The emulated kernel after FreeBSD's {@code kern_event.c}, and the interface through which filters
 * and event sources plug into it: {@link io.kqueue4j.kernel.FilterOps} ({@code struct filterops}),
 * {@link io.kqueue4j.kernel.KNote}, {@link io.kqueue4j.kernel.KNoteList} ({@code knlist} and {@code
 * KNOTE}), {@link io.kqueue4j.kernel.Filters} ({@code kqueue_add_filteropts}) and {@link
 * io.kqueue4j.kernel.FilterProvider}.
 *
 * <h2>Locks</h2>
 *
 * Lock order, outermost first: the global nesting lock (held only while a kqueue is registered in
 * another), a {@link io.kqueue4j.kernel.KNoteList}'s lock, a kqueue's lock. The kqueue lock is a
 * leaf: nothing outside this package runs under it. Filters run under the list lock of their knote,
 * or with the knote in flux.
 *
 * <h2>Memory consistency</h2>
 *
 * Actions of a thread before it posts to a knote list or activates a knote happen-before the
 * actions of the thread whose {@code kevent} call returns the resulting event: activation and
 * delivery both take the kqueue's lock. Changes submitted in one {@code kevent} call happen-before
 * the events any later call returns for them.
 */
package io.kqueue4j.kernel;
