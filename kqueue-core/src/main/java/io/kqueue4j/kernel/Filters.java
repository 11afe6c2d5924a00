package io.kqueue4j.kernel;

import static io.kqueue4j.KEvent.EVFILT_AIO;
import static io.kqueue4j.KEvent.EVFILT_LIO;
import static io.kqueue4j.KEvent.EVFILT_READ;
import static io.kqueue4j.KEvent.EVFILT_USER;
import static io.kqueue4j.KEvent.EVFILT_VNODE;
import static io.kqueue4j.KEvent.EVFILT_WRITE;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueueException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * {@code sysfilt_ops}: the filter table shared by every emulated kqueue, indexed by {@code
 * ~filter}, with {@code kqueue_add_filteropts}/{@code kqueue_del_filteropts} to change it at run
 * time. Each knote of an added filter holds a reference on its filter's slot, so a filter in use
 * cannot be removed. The built-in filters are never removed, so their knotes take no reference
 * ({@code for_nolock}).
 *
 * <p>Thread-safe. Built-in: {@code EVFILT_USER}, the descriptor filters {@code EVFILT_READ}, {@code
 * EVFILT_WRITE} and {@code EVFILT_VNODE} (kqueues natively, other descriptors through {@link
 * FilterProvider#descriptorFilters()}), and {@code EVFILT_AIO}/{@code EVFILT_LIO}, which fail with
 * {@code ENXIO}. The rest come from the {@link FilterProvider}s on the class path.
 */
public final class Filters {
  /** Number of slots: filter ids -1 to -32. */
  static final int SLOTS = 32;

  private static final AtomicReferenceArray<FilterOps> OPS = new AtomicReferenceArray<>(SLOTS);
  private static final AtomicReferenceArray<FilterOps> DESCRIPTOR_OPS =
      new AtomicReferenceArray<>(SLOTS);
  private static final AtomicIntegerArray REFS = new AtomicIntegerArray(SLOTS);
  /** Bit {@code ~filter} set: the slot holds a built-in filter, which is never removed. */
  private static final int BUILT_IN =
      bit(EVFILT_USER) | bit(EVFILT_READ) | bit(EVFILT_WRITE) | bit(EVFILT_VNODE) | bit(EVFILT_AIO)
          | bit(EVFILT_LIO);
  private static final List<String> LOAD_FAILURES;

  static {
    OPS.set(~EVFILT_USER, new UserFilter());
    OPS.set(~EVFILT_READ, new DescriptorFilter(EVFILT_READ));
    OPS.set(~EVFILT_WRITE, new DescriptorFilter(EVFILT_WRITE));
    OPS.set(~EVFILT_VNODE, new DescriptorFilter(EVFILT_VNODE));
    OPS.set(~EVFILT_AIO, new NullFilter("EVFILT_AIO is not implemented"));
    OPS.set(~EVFILT_LIO, new NullFilter("EVFILT_LIO is not implemented"));
    List<String> failures = new ArrayList<>();
    Iterator<FilterProvider> providers = ServiceLoader.load(FilterProvider.class).iterator();
    while (true) {
      try {
        if (!providers.hasNext()) {
          break;
        }
        FilterProvider provider = providers.next();
        provider.filters().forEach((filter, ops) -> OPS.compareAndSet(slotOrThrow(filter), null, ops));
        provider
            .descriptorFilters()
            .forEach((filter, ops) -> DESCRIPTOR_OPS.compareAndSet(slotOrThrow(filter), null, ops));
      } catch (ServiceConfigurationError | RuntimeException e) {
        failures.add(String.valueOf(e));
      }
    }
    LOAD_FAILURES = List.copyOf(failures);
  }

  /**
   * Providers that could not be loaded (a broken class path or a provider that threw), each as its
   * error's text; their filters fail with {@code ENXIO} naming these. Empty when all loaded.
   *
   * @return the failures, an immutable list
   */
  public static List<String> loadFailures() {
    return LOAD_FAILURES;
  }

  private Filters() {}

  /**
   * {@code kqueue_add_filteropts}: installs a filter for every emulated kqueue.
   *
   * @param filter the filter id, from -1 to -32
   * @param ops the filter's operations
   * @throws KQueueException {@code EINVAL} when the id is outside -1..-32, {@code EEXIST} when the
   *     slot already holds a filter
   */
  public static void add(short filter, FilterOps ops) throws KQueueException {
    int slot = slot(filter, "kqueue_add_filteropts");
    if (!OPS.compareAndSet(slot, null, ops)) {
      throw new KQueueException("kqueue_add_filteropts", Errno.EEXIST,
          KEvent.filterName(filter) + " already has a filter");
    }
  }

  /**
   * {@code kqueue_del_filteropts}: removes a filter.
   *
   * @param filter the filter id, from -1 to -32
   * @throws KQueueException {@code EINVAL} when there is none, {@code EBUSY} while knotes use it or
   *     when the filter is built in
   */
  public static void remove(short filter) throws KQueueException {
    int slot = slot(filter, "kqueue_del_filteropts");
    FilterOps ops = OPS.get(slot);
    if (ops == null || ops instanceof NullFilter) {
      throw new KQueueException("kqueue_del_filteropts", Errno.EINVAL,
          KEvent.filterName(filter) + " has no filter");
    }
    if (isBuiltIn(slot)) {
      throw new KQueueException("kqueue_del_filteropts", Errno.EBUSY,
          KEvent.filterName(filter) + " is built in");
    }
    // Fence new knotes by swapping in a placeholder, then check the references.
    NullFilter removing = new NullFilter(KEvent.filterName(filter) + " is being removed");
    if (!OPS.compareAndSet(slot, ops, removing)) {
      throw new KQueueException("kqueue_del_filteropts", Errno.EBUSY, "concurrent change");
    }
    if (REFS.get(slot) != 0) {
      OPS.set(slot, ops);
      throw new KQueueException("kqueue_del_filteropts", Errno.EBUSY,
          KEvent.filterName(filter) + " has " + REFS.get(slot) + " knotes");
    }
    OPS.compareAndSet(slot, removing, null);
  }

  /**
   * {@code kqueue_fo_find}: the ops of {@code filter} with a reference taken (none for a built-in
   * filter), or null if invalid.
   */
  static FilterOps acquire(short filter) {
    if (filter >= 0 || filter < -SLOTS) {
      return null;
    }
    int slot = ~filter;
    if (!isBuiltIn(slot)) {
      REFS.incrementAndGet(slot);
    }
    FilterOps ops = OPS.get(slot);
    return ops != null ? ops : NullFilter.UNREGISTERED;
  }

  /** {@code kqueue_fo_release}: gives back what {@link #acquire} took. */
  static void release(short filter) {
    int slot = ~filter;
    if (!isBuiltIn(slot)) {
      REFS.decrementAndGet(slot);
    }
  }

  private static boolean isBuiltIn(int slot) {
    return (BUILT_IN >>> slot & 1) != 0;
  }

  private static int bit(short filter) {
    return 1 << ~filter;
  }

  /** The ops of {@code filter} without a reference, for lookups of existing knotes. */
  static FilterOps peek(short filter) {
    if (filter >= 0 || filter < -SLOTS) {
      return null;
    }
    FilterOps ops = OPS.get(~filter);
    return ops != null ? ops : NullFilter.UNREGISTERED;
  }

  /** The provider's ops for {@code filter} on a descriptor that is not a kqueue, or null. */
  static FilterOps descriptorOps(short filter) {
    return DESCRIPTOR_OPS.get(~filter);
  }

  private static int slot(short filter, String call) throws KQueueException {
    if (filter >= 0 || filter < -SLOTS) {
      throw new KQueueException(call, Errno.EINVAL, "filter " + filter + " outside -1..-" + SLOTS);
    }
    return ~filter;
  }

  private static int slotOrThrow(short filter) {
    if (filter >= 0 || filter < -SLOTS) {
      throw new IllegalArgumentException("filter " + filter + " outside -1..-" + SLOTS);
    }
    return ~filter;
  }
}
