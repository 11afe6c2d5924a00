/**
 * {@code EVFILT_PROC}: {@link io.kqueue4j.filters.proc.ProcFilter}, the portable exit source on
 * {@link java.lang.ProcessHandle#onExit()}, and {@link io.kqueue4j.filters.proc.WaitStatus} to
 * decode the status it delivers.
 *
 * <h2>Locks</h2>
 *
 * The filter's map of watched processes is locked before a process's knote list, and the list
 * before any kqueue; the filter's count of process-event subscribers is locked after a list, and
 * before the event source's own lock. Exits are posted from the exit source's thread (or the JDK's
 * reaper thread when the status comes from the JDK) under the list lock, which orders the status
 * before the event. Forks and execs are posted from the process-event source's thread, which holds
 * no lock while it registers a tracked child's knote ({@code knote_fork} drops its locks around
 * {@code kqueue_register} in the same way).
 */
package io.kqueue4j.filters.proc;
