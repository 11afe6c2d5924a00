package io.kqueue4j.filters.signal;

import io.kqueue4j.KEvent;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.FilterProvider;
import java.util.Map;

/** Contributes {@link SignalFilter} as {@code EVFILT_SIGNAL}. */
public final class SignalFilterProvider implements FilterProvider {
  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public SignalFilterProvider() {}

  @Override
  public Map<Short, FilterOps> filters() {
    return Map.of(KEvent.EVFILT_SIGNAL, new SignalFilter());
  }
}
