package io.kqueue4j.kernel;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueueException;

/**
 * {@code file_filtops}: the trampoline for filters whose ident is a descriptor. On attach it finds
 * what the descriptor is and hands the knote to that object's filter, as {@code filt_fileattach}
 * calls {@code fo_kqfilter}: a kqueue's descriptor gets {@link KQueueReadFilter} ({@code
 * EVFILT_READ} only, else {@code EINVAL}); any other descriptor gets the filter a {@link
 * FilterProvider} registered for it.
 */
final class DescriptorFilter implements FilterOps {
  private final short filter;

  DescriptorFilter(short filter) {
    this.filter = filter;
  }

  @Override
  public boolean isFd() {
    return true;
  }

  @Override
  public void attach(KNote kn) throws KQueueException {
    FilterOps target;
    EmulatedKQueue watched = Descriptors.kqueueAt(kn.ident());
    if (watched != null) {
      if (filter != KEvent.EVFILT_READ) {
        throw new KQueueException("kevent", Errno.EINVAL,
            KEvent.filterName(filter) + " on kqueue descriptor " + kn.ident()
                + ": a kqueue supports EVFILT_READ only");
      }
      target = KQueueReadFilter.INSTANCE;
    } else {
      target = Filters.descriptorOps(filter);
      if (target == null) {
        throw new KQueueException("kevent", Errno.EINVAL,
            KEvent.filterName(filter) + " on descriptor " + kn.ident()
                + ": no filter for this kind of descriptor (is io.kqueue4j:filters on the class path?)");
      }
    }
    kn.ops = target;
    target.attach(kn);
  }

  @Override
  public void detach(KNote kn) {
    throw new IllegalStateException("detach of an unattached descriptor knote " + kn);
  }

  @Override
  public boolean event(KNote kn, long hint) {
    return false;
  }
}
