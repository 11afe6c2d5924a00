package io.kqueue4j.bsd.internal;

import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DISPATCH;
import static io.kqueue4j.KEvent.EV_ONESHOT;

import io.kqueue4j.filters.fsevent.FsWatcher;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code EVFILT_FSEVENT} on a native queue, which no kernel has: each knote on a watcher is an
 * {@code EVFILT_USER} knote of the kernel in a reserved ident range ({@link #osIdent}), always
 * {@code EV_CLEAR}, that {@link FsEventRelay} triggers when the watcher has records or is revoked.
 * Deliveries are translated back by {@link NativeKQueue} with the emulated filter's meaning (see
 * {@code FsEventFilter}): {@code data} = the watcher's {@code pending()} read at delivery; nothing
 * is delivered while it is 0; a revoked watcher's knote fires once with {@code EV_EOF}, {@code
 * EV_ONESHOT} and {@code NOTE_REVOKE}, and is deleted. The caller's {@code EV_CLEAR}, {@code
 * EV_ONESHOT} and {@code EV_DISPATCH} are kept here and applied by the queue after each delivery: a
 * knote without {@code EV_CLEAR} is triggered again while records remain (level-triggered), a
 * oneshot one is deleted, a dispatch one disabled.
 *
 * <p>Guarded by the queue's lock.
 */
final class FsEventBridge {
  /** The ident range of bridged knotes: {@code 0xFFFE} in the top 16 bits, the watcher id below. */
  static final long IDENT_BASE = 0xFFFE_0000_0000_0000L;
  /** The watcher-id bits of a bridged ident. */
  static final long ID_MASK = 0x0000_FFFF_FFFF_FFFFL;
  /** The flags of a caller's change that the bridge keeps rather than the kernel. */
  static final int KEPT_FLAGS = EV_CLEAR | EV_ONESHOT | EV_DISPATCH;

  /** One bridged knote. */
  static final class Registration {
    final FsWatcher watcher;
    int flags;

    Registration(FsWatcher watcher, int flags) {
      this.watcher = watcher;
      this.flags = flags;
    }
  }

  private final Map<Long, Registration> registrations = new HashMap<>();

  static boolean isBridged(long osIdent) {
    return (osIdent & ~ID_MASK) == IDENT_BASE;
  }

  static long osIdent(long watcherId) {
    return IDENT_BASE | watcherId;
  }

  Registration get(long watcherId) {
    return registrations.get(watcherId);
  }

  /** Records a knote the kernel accepted; true when it is new. */
  boolean added(long watcherId, FsWatcher watcher, int flags) {
    Registration r = registrations.get(watcherId);
    if (r != null) {
      r.flags = flags & KEPT_FLAGS;
      return false;
    }
    registrations.put(watcherId, new Registration(watcher, flags & KEPT_FLAGS));
    return true;
  }

  /** Forgets a knote the kernel no longer has; true when it was known. */
  boolean removed(long watcherId) {
    return registrations.remove(watcherId) != null;
  }

  /** The watcher ids bridged, for the close. */
  Iterable<Long> ids() {
    return Map.copyOf(registrations).keySet();
  }

  void clear() {
    registrations.clear();
  }
}
