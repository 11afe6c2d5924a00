/**
 * The Linux event sources of {@code EVFILT_PROC}, registered with {@link java.util.ServiceLoader}:
 * {@link io.kqueue4j.linux.proc.PidFdProcessExitSource}, an {@link
 * io.kqueue4j.filters.spi.ProcessExitSource} on pidfds, and {@link
 * io.kqueue4j.linux.proc.ProcConnectorEventSource}, an {@link
 * io.kqueue4j.filters.spi.ProcessEventSource} on the netlink process-event connector for {@code
 * NOTE_FORK}, {@code NOTE_EXEC} and {@code NOTE_TRACK}.
 *
 * <h2>Threads and locks</h2>
 *
 * Each source has one daemon thread ({@code kqueue4j-pidfd}, {@code kqueue4j-proc-connector}) that
 * calls its listeners holding no lock of its own, so listeners may register and cancel watches and
 * subscriptions. The connector source's lock guards starting and stopping its reader; stopping
 * never waits for the reader's thread.
 */
package io.kqueue4j.linux.proc;
