package io.kqueue4j.linux.reliability;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.Filters;

/**
 * A test filter installed with {@link Filters#add} in the first free id from -20 to -31 and removed
 * by {@link #close()}, which fails with {@code EBUSY} if a knote still holds it.
 */
final class TestFilterSlot implements AutoCloseable {
  final short filter;

  private TestFilterSlot(short filter) {
    this.filter = filter;
  }

  static TestFilterSlot install(FilterOps ops) throws KQueueException {
    for (short id = -20; id >= -31; id--) {
      try {
        Filters.add(id, ops);
        return new TestFilterSlot(id);
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
