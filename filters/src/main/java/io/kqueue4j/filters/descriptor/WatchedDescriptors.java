package io.kqueue4j.filters.descriptor;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.KNote;
import java.util.HashMap;
import java.util.Map;

/**
 * The descriptors that have knotes, keyed by number: one {@link WatchedDescriptor} and one source
 * watch per descriptor, however many knotes and kqueues use it, created by the first knote and
 * closed with the last.
 *
 * <p>Lock order: this registry's lock is taken either alone or inside a knote list's lock ({@link
 * FilterOpsBase#touch}); never the other way round, so nothing here takes a list's lock while
 * holding it.
 */
final class WatchedDescriptors {
  private static final Object LOCK = new Object();
  /** Guarded by {@link #LOCK}. */
  private static final Map<Integer, WatchedDescriptor> BY_FD = new HashMap<>();

  private WatchedDescriptors() {}

  /** Checks a descriptor before a knote is counted on it; throws to refuse the registration. */
  @FunctionalInterface
  interface AttachCheck {
    void check(WatchedDescriptor wd) throws KQueueException;
  }

  /**
   * {@code fo_kqfilter} plus {@code knlist_add}: finds or starts the watch of {@code kn}'s
   * descriptor, runs {@code check}, counts the knote on its side and adds it to that side's list.
   */
  static void attach(KNote kn, boolean read, AttachCheck check) throws KQueueException {
    int fd = (int) kn.ident(); // the kernel checked that it is an open descriptor
    WatchedDescriptor wd;
    synchronized (LOCK) {
      wd = BY_FD.get(fd);
      boolean created = wd == null;
      if (created) {
        wd = new WatchedDescriptor(fd);
        wd.watch = source(kn).watch(fd, wd);
      } else {
        wd.watch.revalidate();
      }
      try {
        check.check(wd);
        int reads = wd.readCount + (read ? 1 : 0);
        int writes = wd.writeCount + (read ? 0 : 1);
        wd.watch.interest(reads > 0, writes > 0);
        wd.readCount = reads;
        wd.writeCount = writes;
      } catch (KQueueException | RuntimeException e) {
        if (created) {
          wd.watch.close();
        }
        throw e;
      }
      if (created) {
        BY_FD.put(fd, wd);
      }
    }
    // Outside the registry lock (lock order); the count keeps wd alive meanwhile.
    kn.setHook(wd);
    wd.list(read).add(kn);
  }

  /** {@code f_detach}: removes {@code kn} from its list and closes the watch with the last knote. */
  static void detach(KNote kn, boolean read) {
    WatchedDescriptor wd = (WatchedDescriptor) kn.hook();
    wd.list(read).remove(kn);
    synchronized (LOCK) {
      if (read) {
        wd.readCount--;
      } else {
        wd.writeCount--;
      }
      if (wd.readCount == 0 && wd.writeCount == 0) {
        BY_FD.remove(wd.fd, wd);
        wd.watch.close();
        return;
      }
      try {
        wd.watch.interest(wd.readCount > 0, wd.writeCount > 0);
      } catch (KQueueException e) {
        // Still watched for a side without knotes: harmless, its list is empty.
      }
    }
  }

  /** {@link DescriptorWatch#revalidate()} under the registry lock. */
  static void revalidate(WatchedDescriptor wd) {
    synchronized (LOCK) {
      if (BY_FD.get(wd.fd) == wd) {
        wd.watch.revalidate();
      }
    }
  }

  /** The number of watched descriptors; for tests and diagnostics. */
  static int size() {
    synchronized (LOCK) {
      return BY_FD.size();
    }
  }

  private static ReadinessSource source(KNote kn) throws KQueueException {
    try {
      return ReadinessSources.active();
    } catch (IllegalStateException e) {
      throw new KQueueException("kevent", Errno.ENODEV,
          KEvent.filterName(kn.filter()) + " on descriptor " + kn.ident() + ": " + e.getMessage(),
          e);
    }
  }
}
