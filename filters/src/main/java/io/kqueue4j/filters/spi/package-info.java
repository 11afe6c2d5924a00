/**
 * The event-source interfaces through which OS-specific modules feed the filters of this module
 * ({@link io.kqueue4j.filters.spi.ProcessExitSource} for exits and {@link
 * io.kqueue4j.filters.spi.ProcessEventSource} for forks and execs, both of {@code EVFILT_PROC}).
 * Implementations are registered with {@link java.util.ServiceLoader}; each filter has a portable
 * source that works everywhere and says it is the fallback, except where the JVM cannot see the
 * events at all (forks and execs), in which case the filter refuses the registration with a
 * reason.
 */
package io.kqueue4j.filters.spi;
