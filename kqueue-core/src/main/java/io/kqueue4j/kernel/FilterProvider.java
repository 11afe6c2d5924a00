package io.kqueue4j.kernel;

import java.util.Map;

/**
 * Service interface through which a module contributes filters, found with {@link
 * java.util.ServiceLoader} when {@link Filters} is first used: adding the module to the class path
 * is all it takes for every kqueue to have its filters.
 */
public interface FilterProvider {

  /**
   * Filters keyed by filter id ({@code EVFILT_TIMER}, ...), installed in the table that {@link
   * Filters#add} changes when {@link Filters} is first used.
   *
   * @return the filters by id, each in -1..-32; an id whose slot is taken (a built-in filter or an
   *     earlier provider's) keeps the filter it has, and an id out of range stops this provider's
   *     installation there and is reported by {@link Filters#loadFailures()}
   */
  Map<Short, FilterOps> filters();

  /**
   * Filters on descriptors that are not kqueues ({@code EVFILT_READ}, {@code EVFILT_WRITE}, {@code
   * EVFILT_VNODE} on sockets, pipes, files), keyed by filter id; the kernel's descriptor filter
   * hands such a knote to them on attach, as {@code fo_kqfilter} does.
   *
   * @return the filters by id, empty by default; the first provider to name an id keeps it, an id
   *     out of -1..-32 is a load failure as for {@link #filters()}, and a kqueue's descriptor never
   *     reaches these filters
   */
  default Map<Short, FilterOps> descriptorFilters() {
    return Map.of();
  }
}
