/**
 * Service interfaces through which other modules plug platform work into the core: the native
 * kqueue backend and the descriptor operations behind {@link io.kqueue4j.FileDescriptors}. Filters
 * plug in through {@link io.kqueue4j.kernel.FilterProvider}.
 */
package io.kqueue4j.spi;
