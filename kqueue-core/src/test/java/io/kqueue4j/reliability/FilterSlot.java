package io.kqueue4j.reliability;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.Filters;

/**
 * A test filter installed with {@link Filters#add} on the first free id from -20 to -31, and
 * removed by {@link #close()}, which fails if knotes still hold it ({@code EBUSY}): a leak of
 * filter references is a test failure.
 */
final class FilterSlot implements AutoCloseable {
  final short filter;

  private FilterSlot(short filter) {
    this.filter = filter;
  }

  static FilterSlot install(FilterOps ops) throws KQueueException {
    for (short id = -20; id >= -31; id--) {
      try {
        Filters.add(id, ops);
        return new FilterSlot(id);
      } catch (KQueueException e) {
        if (e.errno() != Errno.EEXIST) {
          throw e;
        }
      }
    }
    throw new IllegalStateException("no free filter id from -20 to -31");
  }

  @Override
  public void close() throws KQueueException {
    Filters.remove(filter);
  }
}
