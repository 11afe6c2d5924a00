package io.kqueue4j.filters.timer;

import io.kqueue4j.KEvent;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.FilterProvider;
import java.util.Map;

/** Contributes {@link TimerFilter} on the shared real-time service as {@code EVFILT_TIMER}. */
public final class TimerFilterProvider implements FilterProvider {
  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public TimerFilterProvider() {}

  @Override
  public Map<Short, FilterOps> filters() {
    return Map.of(KEvent.EVFILT_TIMER, new TimerFilter());
  }
}
