package io.kqueue4j.kernel;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;

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
    throw new KQueueException("kevent", Errno.ENXIO,
        io.kqueue4j.KEvent.filterName(kn.filter()) + ": " + reason);
  }

  @Override
  public void detach(KNote kn) {}

  @Override
  public boolean event(KNote kn, long hint) {
    return false;
  }
}
