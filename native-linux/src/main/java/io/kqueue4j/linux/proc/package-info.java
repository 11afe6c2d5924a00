/**
 * The Linux event source of {@code EVFILT_PROC}: {@link
 * io.kqueue4j.linux.proc.PidFdProcessExitSource}, registered with {@link java.util.ServiceLoader}
 * as an {@link io.kqueue4j.filters.spi.ProcessExitSource}.
 */
package io.kqueue4j.linux.proc;
