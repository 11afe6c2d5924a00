package io.kqueue4j.testing;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.Filters;

/**
 * A test filter installed with {@link Filters#add} on the first free id from -20 to -31, and
 * removed by {@link #close()}, which fails if knotes still hold it ({@code EBUSY}): a leak of
 * filter references is a test failure. Shared with the other modules' tests through this module's
 * test jar.
 */
public final class FilterSlot implements AutoCloseable {
  /** The filter id the slot holds. */
  public final short filter;

  private FilterSlot(short filter) {
    this.filter = filter;
  }

  /**
   * Installs {@code ops} on the first free test filter id.
   *
   * @param ops the filter
   * @return the slot, to close when the test is done
   * @throws KQueueException when {@link Filters#add} fails otherwise than with {@code EEXIST}
   */
  public static FilterSlot install(FilterOps ops) throws KQueueException {
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

  /**
   * Removes the filter.
   *
   * @throws KQueueException {@code EBUSY} when a knote still holds the filter
   */
  @Override
  public void close() throws KQueueException {
    Filters.remove(filter);
  }
}
