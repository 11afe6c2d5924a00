package io.kqueue4j.kernel;

import java.util.function.Consumer;

/**
 * {@code kq_knlist} and {@code kq_knhash}: a kqueue's knotes by (ident, filter). Descriptor knotes
 * below {@link #FD_ARRAY_LIMIT} sit in an array indexed by descriptor that grows in steps of {@link
 * #EXTENT}; the others, and descriptors above the limit (numbers that stand for kqueues or channels
 * where the OS has no descriptors), in a hash of chains that doubles when it is three quarters full.
 * Chains link through {@link KNote#link}. Guarded by the kqueue's lock.
 */
final class KNoteTable {
  /** {@code KQEXTENT}: the growth step of the descriptor array. */
  static final int EXTENT = 256;
  /** {@code KN_HASHSIZE}: the initial number of hash buckets. */
  static final int HASH_SIZE = 64;
  /** Descriptors from here on are hashed, so a large number cannot grow the array without bound. */
  static final int FD_ARRAY_LIMIT = 1 << 16;
  private static final KNote[] NONE = new KNote[0];

  private KNote[] byFd = NONE;
  private KNote[] hash = NONE;
  private int hashed;
  private int size;

  int size() {
    return size;
  }

  KNote find(long ident, short filter, boolean isFd) {
    KNote kn;
    if (isFd && ident < FD_ARRAY_LIMIT) {
      kn = ident < byFd.length ? byFd[(int) ident] : null;
    } else {
      kn = hash.length == 0 ? null : hash[bucket(ident, hash.length)];
    }
    while (kn != null && (kn.ident != ident || kn.filter != filter)) {
      kn = kn.link;
    }
    return kn;
  }

  /** The first knote on descriptor {@code fd}, or null. */
  KNote firstOnFd(int fd) {
    if (fd < FD_ARRAY_LIMIT) {
      return fd >= 0 && fd < byFd.length ? byFd[fd] : null;
    }
    KNote kn = hash.length == 0 ? null : hash[bucket(fd, hash.length)];
    while (kn != null && (kn.ident != fd || !kn.isFd)) {
      kn = kn.link;
    }
    return kn;
  }

  void insert(KNote kn, boolean isFd) {
    if (isFd && kn.ident < FD_ARRAY_LIMIT) {
      int fd = (int) kn.ident;
      if (fd >= byFd.length) {
        KNote[] grown = new KNote[(fd / EXTENT + 1) * EXTENT];
        System.arraycopy(byFd, 0, grown, 0, byFd.length);
        byFd = grown;
      }
      kn.link = byFd[fd];
      byFd[fd] = kn;
    } else {
      if (hashed + 1 > hash.length - (hash.length >> 2)) {
        rehash(hash.length == 0 ? HASH_SIZE : hash.length << 1);
      }
      int b = bucket(kn.ident, hash.length);
      kn.link = hash[b];
      hash[b] = kn;
      hashed++;
    }
    size++;
  }

  void remove(KNote kn, boolean isFd) {
    isFd &= kn.ident < FD_ARRAY_LIMIT;
    KNote[] chains = isFd ? byFd : hash;
    int b = isFd ? (int) kn.ident : bucket(kn.ident, hash.length);
    if (chains[b] == kn) {
      chains[b] = kn.link;
    } else {
      KNote prev = chains[b];
      while (prev.link != kn) {
        prev = prev.link;
      }
      prev.link = kn.link;
    }
    kn.link = null;
    if (!isFd) {
      hashed--;
    }
    size--;
  }

  void forEach(Consumer<KNote> action) {
    forEachIn(byFd, action);
    forEachIn(hash, action);
  }

  private static void forEachIn(KNote[] chains, Consumer<KNote> action) {
    for (KNote head : chains) {
      for (KNote kn = head; kn != null; kn = kn.link) {
        action.accept(kn);
      }
    }
  }

  private void rehash(int buckets) {
    KNote[] old = hash;
    hash = new KNote[buckets];
    for (KNote head : old) {
      for (KNote kn = head; kn != null; ) {
        KNote next = kn.link;
        int b = bucket(kn.ident, buckets);
        kn.link = hash[b];
        hash[b] = kn;
        kn = next;
      }
    }
  }

  /**
   * {@code KN_HASH}: {@code ident ^ (ident >> 8)}, with the higher bits folded in as well, so that
   * idents that are multiples of a power of two still spread. Neighbouring idents, the common case
   * ({@code EVFILT_USER} numbers, pids, signals), land in neighbouring buckets, which keeps a run of
   * changes on them within a few cache lines of the bucket array.
   */
  private static int bucket(long ident, int buckets) {
    int h = (int) (ident ^ (ident >>> 32));
    return (h ^ (h >>> 8) ^ (h >>> 16)) & (buckets - 1);
  }
}
