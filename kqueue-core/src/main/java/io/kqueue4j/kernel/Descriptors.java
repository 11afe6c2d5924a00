package io.kqueue4j.kernel;

import io.kqueue4j.KQueueException;
import io.kqueue4j.spi.DescriptorSupport;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The process's descriptor table as the kernel sees it: which descriptors are open, which of them
 * stand for emulated kqueues, and which kqueues hold knotes on descriptors, so that closing a
 * descriptor drops its knotes everywhere ({@code knote_fdclose}).
 *
 * <p>Thread-safe.
 */
public final class Descriptors {
  private static final DescriptorSupport SUPPORT = load();
  private static final ConcurrentHashMap<Integer, EmulatedKQueue> KQUEUES =
      new ConcurrentHashMap<>();
  private static final Set<EmulatedKQueue> WITH_FD_KNOTES = ConcurrentHashMap.newKeySet();
  /**
   * The part of FreeBSD's filedesc lock that knotes see: held shared by the registration of a
   * descriptor knote, from the check that the descriptor is open until the knote is in its table,
   * and exclusively by {@link #close}, from dropping the descriptor's knotes until it is closed. A
   * registration racing a close therefore either fails with {@code EBADF} or leaves a knote that the
   * close drops; without it, a knote could be attached after the close looked and stay on a closed
   * descriptor (or on the next one given that number).
   */
  private static final ReentrantReadWriteLock TABLE = new ReentrantReadWriteLock();

  private Descriptors() {}

  /**
   * The platform's descriptor operations: the best available provider, or the portable one.
   *
   * @return the available {@link DescriptorSupport} of highest priority found on the class path at
   *     class initialization, or the portable support, which has no OS descriptors, when there is
   *     none
   */
  public static DescriptorSupport support() {
    return SUPPORT;
  }

  /**
   * Whether {@code fd} is open: a kqueue's descriptor or one the platform reports open.
   *
   * @param fd a kevent ident; values below 0 or above {@link Integer#MAX_VALUE} are never open
   * @return {@code true} when {@code fd} is an emulated kqueue's {@link io.kqueue4j.KQueue#fd()} or
   *     {@link DescriptorSupport#isOpen} reports it open
   */
  public static boolean isOpen(long fd) {
    if (fd < 0 || fd > Integer.MAX_VALUE) {
      return false;
    }
    return KQUEUES.containsKey((int) fd) || SUPPORT.isOpen((int) fd);
  }

  /**
   * {@code close(2)} as the kernel does it: drops the descriptor's knotes from every kqueue, then
   * closes it. Closing a kqueue's descriptor closes the kqueue.
   *
   * @param fd an OS descriptor, or a kqueue's {@link io.kqueue4j.KQueue#fd()}
   * @throws KQueueException from {@link DescriptorSupport#close}: {@code EBADF} when {@code fd} is
   *     not open, or FreeBSD's errno for another failure of {@code close(2)}; never for a kqueue's
   *     descriptor
   */
  public static void close(int fd) throws KQueueException {
    EmulatedKQueue kq = KQUEUES.get(fd);
    if (kq != null) {
      kq.close();
      return;
    }
    TABLE.writeLock().lock();
    try {
      for (EmulatedKQueue each : WITH_FD_KNOTES) {
        each.descriptorClosed(fd);
      }
      SUPPORT.close(fd);
    } finally {
      TABLE.writeLock().unlock();
    }
  }

  /** Before registering a descriptor knote: see {@link #TABLE}. */
  static void lockTable() {
    TABLE.readLock().lock();
  }

  static void unlockTable() {
    TABLE.readLock().unlock();
  }

  static EmulatedKQueue kqueueAt(long fd) {
    return fd < 0 || fd > Integer.MAX_VALUE ? null : KQUEUES.get((int) fd);
  }

  static void registerKQueue(int fd, EmulatedKQueue kq) {
    KQUEUES.put(fd, kq);
  }

  static void unregisterKQueue(int fd) {
    KQUEUES.remove(fd);
  }

  static void holdsDescriptorKnotes(EmulatedKQueue kq) {
    WITH_FD_KNOTES.add(kq);
  }

  static void closed(EmulatedKQueue kq) {
    WITH_FD_KNOTES.remove(kq);
  }

  private static DescriptorSupport load() {
    DescriptorSupport best = null;
    for (DescriptorSupport candidate : ServiceLoader.load(DescriptorSupport.class)) {
      if (candidate.unavailabilityCause() == null
          && (best == null || candidate.priority() > best.priority())) {
        best = candidate;
      }
    }
    return best != null ? best : new PortableDescriptors();
  }
}
