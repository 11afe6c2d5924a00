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

  /**
   * A short name for diagnostics, such as {@code "linux-epoll"} or {@code "portable-selector"}.
   *
   * @return the source's name, as {@link ReadinessSources#activeName()} reports it
   */
  String name();

  /**
   * The {@link io.kqueue4j.spi.DescriptorSupport#name()} whose descriptors this source watches.
   *
   * @return the name of the descriptor support this source understands
   */
  String supportName();

  /**
   * Higher wins when several matching sources are available.
   *
   * @return this source's priority; the portable fallback has 0
   */
  int priority();

  /**
   * Why this source cannot run here, or {@code null} when it can. Must not throw.
   *
   * @return the cause, such as a missing native library, or {@code null} when the source is
   *     available
   */
  Throwable unavailabilityCause();

  /**
   * Starts watching descriptor {@code fd} (not yet for either side: {@link
   * DescriptorWatch#interest} follows), reporting changes to {@code listener}.
   *
   * @param fd the descriptor, a number of the descriptor support named by {@link #supportName()}
   * @param listener where the watch reports that a side may have changed
   * @return the new watch, shared by every knote on {@code fd} until its {@link
   *     DescriptorWatch#close()}
   * @throws KQueueException with FreeBSD's errno: {@code EBADF} when {@code fd} is not open, {@code
   *     ENODEV} when it refers to something this source cannot watch
   */
  DescriptorWatch watch(int fd, ReadinessListener listener) throws KQueueException;
}
