package io.kqueue4j.filters.fsevent;

import io.kqueue4j.KEvent;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.FilterProvider;
import java.util.Map;

/** Contributes {@link FsEventFilter} as {@code EVFILT_FSEVENT}. */
public final class FsEventFilterProvider implements FilterProvider {
  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public FsEventFilterProvider() {}

  @Override
  public Map<Short, FilterOps> filters() {
    return Map.of(KEvent.EVFILT_FSEVENT, new FsEventFilter());
  }
}
