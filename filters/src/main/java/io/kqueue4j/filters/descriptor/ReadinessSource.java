package io.kqueue4j.filters.descriptor;

import io.kqueue4j.KQueueException;

/**
 * Service interface of the event sources behind {@code EVFILT_READ} and {@code EVFILT_WRITE} on
 * descriptors, found with {@link java.util.ServiceLoader}: module {@code native-linux} provides
 * one over epoll; this module provides the portable fallback over a JDK {@code Selector} ({@link
 * SelectorReadinessSource}). {@link ReadinessSources#active()} picks the one in use.
 *
 * <p>A source understands the descriptors of one {@link io.kqueue4j.spi.DescriptorSupport} (real
 * descriptors, or the portable fallback's tokens), named by {@link #supportName()}; only sources
 * matching the support in use are considered.
 *
 * <p>Implementations are thread-safe, and run a handful of threads at most, whatever the number of
 * descriptors and kqueues.
 */
public interface ReadinessSource {

  /** A short name for diagnostics, such as {@code "linux-epoll"} or {@code "portable-selector"}. */
  String name();

  /**
   * The {@link io.kqueue4j.spi.DescriptorSupport#name()} whose descriptors this source watches.
   */
  String supportName();

  /** Higher wins when several matching sources are available. */
  int priority();

  /** Why this source cannot run here, or {@code null} when it can. Must not throw. */
  Throwable unavailabilityCause();

  /**
   * Starts watching descriptor {@code fd} (not yet for either side: {@link
   * DescriptorWatch#interest} follows), reporting changes to {@code listener}.
   *
   * @throws KQueueException with FreeBSD's errno: {@code EBADF} when {@code fd} is not open, {@code
   *     ENODEV} when it refers to something this source cannot watch
   */
  DescriptorWatch watch(int fd, ReadinessListener listener) throws KQueueException;
}
