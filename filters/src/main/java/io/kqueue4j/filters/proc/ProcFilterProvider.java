package io.kqueue4j.filters.proc;

import io.kqueue4j.KEvent;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.FilterProvider;
import java.util.Map;

/** Contributes {@link ProcFilter} on the best process-exit source as {@code EVFILT_PROC}. */
public final class ProcFilterProvider implements FilterProvider {
  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public ProcFilterProvider() {}

  @Override
  public Map<Short, FilterOps> filters() {
    return Map.of(KEvent.EVFILT_PROC, new ProcFilter());
  }
}
