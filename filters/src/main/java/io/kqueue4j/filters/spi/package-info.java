/**
 * The event-source interfaces through which OS-specific modules feed the filters of this module
 * ({@link io.kqueue4j.filters.spi.ProcessExitSource} for {@code EVFILT_PROC}). Implementations are
 * registered with {@link java.util.ServiceLoader}; each filter has a portable source that works
 * everywhere and says it is the fallback.
 */
package io.kqueue4j.filters.spi;
