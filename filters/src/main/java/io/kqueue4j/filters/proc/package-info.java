/**
 * {@code EVFILT_PROC}: {@link io.kqueue4j.filters.proc.ProcFilter}, the portable exit source on
 * {@link java.lang.ProcessHandle#onExit()}, and {@link io.kqueue4j.filters.proc.WaitStatus} to
 * decode the status it delivers.
 *
 * <h2>Locks</h2>
 *
 * The filter's map of watched processes is locked before a process's knote list, and the list
 * before any kqueue. Exits are posted from the source's thread (or the JDK's reaper thread when the
 * status comes from the JDK) under the list lock, which orders the status before the event.
 */
package io.kqueue4j.filters.proc;
