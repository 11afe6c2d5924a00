package io.kqueue4j.kernel;

import java.util.Map;

/**
 * Service interface through which a module contributes filters, found with {@link
 * java.util.ServiceLoader} when {@link Filters} is first used: adding the module to the class path
 * is all it takes for every kqueue to have its filters.
 */
public interface FilterProvider {

  /** Filters keyed by filter id ({@code EVFILT_TIMER}, ...), added with {@link Filters#add}. */
  Map<Short, FilterOps> filters();

  /**
   * Filters on descriptors that are not kqueues ({@code EVFILT_READ}, {@code EVFILT_WRITE}, {@code
   * EVFILT_VNODE} on sockets, pipes, files), keyed by filter id; the kernel's descriptor filter
   * hands such a knote to them on attach, as {@code fo_kqfilter} does.
   */
  default Map<Short, FilterOps> descriptorFilters() {
    return Map.of();
  }
}
