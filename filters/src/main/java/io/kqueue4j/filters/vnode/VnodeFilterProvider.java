package io.kqueue4j.filters.vnode;

import io.kqueue4j.KEvent;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.FilterProvider;
import java.util.Map;

/** Contributes {@code EVFILT_VNODE} on file and directory descriptors to every emulated kqueue. */
public final class VnodeFilterProvider implements FilterProvider {

  /** Called by {@link java.util.ServiceLoader}. */
  public VnodeFilterProvider() {}

  @Override
  public Map<Short, FilterOps> filters() {
    return Map.of();
  }

  @Override
  public Map<Short, FilterOps> descriptorFilters() {
    return Map.of(KEvent.EVFILT_VNODE, VnodeFilter.INSTANCE);
  }
}
