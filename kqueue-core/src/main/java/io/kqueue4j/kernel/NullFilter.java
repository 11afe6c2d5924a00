package io.kqueue4j.kernel;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import java.util.List;

/** {@code null_filtops}: a slot without a filter; attach fails with {@code ENXIO}. */
final class NullFilter implements FilterOps {
  static final NullFilter UNREGISTERED =
      new NullFilter("no filter is registered for it (is the io.kqueue4j:filters module on the class path?)");

  private final String reason;

  NullFilter(String reason) {
    this.reason = reason;
  }

  @Override
  public void attach(KNote kn) throws KQueueException {
    List<String> failures = Filters.loadFailures();
    throw new KQueueException("kevent", Errno.ENXIO,
        io.kqueue4j.KEvent.filterName(kn.filter()) + ": " + reason
            + (failures.isEmpty() ? "" : "; filter providers that failed to load: " + failures));
  }

  @Override
  public void detach(KNote kn) {}

  @Override
  public boolean event(KNote kn, long hint) {
    return false;
  }
}
