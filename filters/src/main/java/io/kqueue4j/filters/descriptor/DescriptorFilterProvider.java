package io.kqueue4j.filters.descriptor;

import io.kqueue4j.KEvent;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.FilterProvider;
import java.util.Map;

/**
 * Contributes {@code EVFILT_READ} and {@code EVFILT_WRITE} on descriptors that are not kqueues
 * (sockets, pipes, FIFOs, files, devices) to every emulated kqueue. {@code EVFILT_VNODE} is left to
 * its own provider.
 */
public final class DescriptorFilterProvider implements FilterProvider {
  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public DescriptorFilterProvider() {}

  @Override
  public Map<Short, FilterOps> filters() {
    return Map.of();
  }

  @Override
  public Map<Short, FilterOps> descriptorFilters() {
    return Map.of(KEvent.EVFILT_READ, ReadFilter.INSTANCE, KEvent.EVFILT_WRITE, WriteFilter.INSTANCE);
  }
}
