package io.kqueue4j.bsd.internal;

import io.kqueue4j.KEvent;
import java.util.Map;

/**
 * What a fake kernel knows of one C ABI, written down from the OS headers independently of {@link
 * KeventLayout} and {@link Dialect}, so that a wrong offset or constant in the binding makes the
 * fake read something else and a test fail. Offsets are for LP64.
 *
 * <p>Sources: FreeBSD {@code sys/sys/event.h} ({@code struct kevent} and {@code struct
 * kevent_freebsd11}); XNU {@code bsd/sys/event.h} ({@code struct kevent} under {@code #pragma
 * pack(4)}, {@code struct kevent64_s}); NetBSD {@code sys/sys/event.h} rev. 1.54 and {@code
 * sys/compat/sys/event.h} rev. 1.4 ({@code struct kevent100}); OpenBSD {@code sys/sys/event.h}
 * rev. 1.74; libkqueue {@code include/sys/event.h.in}.
 */
public enum FakeAbi {
  // ident @0 u64 | filter @8 i16 | flags @10 u16 | fflags @12 u32 | data @16 i64 | udata @24 | ext[4] @32
  FREEBSD12(64, false, 32, 4, Os.FREEBSD),
  // the same without ext: sizeof 32
  FREEBSD11(32, false, 32, 0, Os.FREEBSD),
  // uintptr_t ident, int16_t filter, uint16_t flags, uint32_t fflags, intptr_t data, void *udata
  MACOS(32, false, 32, 0, Os.MACOS),
  // uint64_t ident, int16_t filter, uint16_t flags, uint32_t fflags, int64_t data, uint64_t udata,
  // uint64_t ext[2]
  MACOS_KEVENT64(48, false, 32, 2, Os.MACOS),
  // ident @0 | uint32_t filter @8 | uint32_t flags @12 | uint32_t fflags @16 | pad @20 |
  // int64_t data @24 | udata @32
  NETBSD10(40, true, 40, 0, Os.NETBSD),
  // struct kevent100 followed by ext[4] @40
  NETBSD11(72, true, 40, 4, Os.NETBSD),
  OPENBSD(32, false, 32, 0, Os.OPENBSD),
  LIBKQUEUE(32, false, 32, 0, Os.LIBKQUEUE);

  public enum Os { FREEBSD, MACOS, NETBSD, OPENBSD, LIBKQUEUE }

  final int size;
  final boolean wideFilter;
  final int extOffset;
  final int extCount;
  final Os os;

  FakeAbi(int size, boolean wideFilter, int extOffset, int extCount, Os os) {
    this.size = size;
    this.wideFilter = wideFilter;
    this.extOffset = extOffset;
    this.extCount = extCount;
    this.os = os;
  }

  int filterOffset() {
    return 8;
  }

  int flagsOffset() {
    return wideFilter ? 12 : 10;
  }

  int fflagsOffset() {
    return wideFilter ? 16 : 12;
  }

  int dataOffset() {
    return wideFilter ? 24 : 16;
  }

  int udataOffset() {
    return wideFilter ? 32 : 24;
  }

  /** The layout the binding should use for this ABI. */
  public KeventLayout layout() {
    return KeventLayout.valueOf(name());
  }

  // ---------------------------------------------------------------- constants

  /** OS filter id to FreeBSD's; null when FreeBSD has no such filter. */
  Short filterToFreeBsd(int osFilter) {
    switch (os) {
      case FREEBSD:
        return (short) osFilter;
      case MACOS: // EVFILT_READ -1 .. EVFILT_TIMER -7, EVFILT_FS -9, EVFILT_USER -10
        if (osFilter >= -7 && osFilter <= -1 || osFilter == -9) {
          return (short) osFilter;
        }
        return osFilter == -10 ? KEvent.EVFILT_USER : null;
      case NETBSD: // EVFILT_READ 0U .. EVFILT_EMPTY 9U
        return NETBSD_FILTERS.get(osFilter);
      case OPENBSD: // -1 .. -7, EVFILT_USER -10
        if (osFilter >= -7 && osFilter <= -1) {
          return (short) osFilter;
        }
        return osFilter == -10 ? KEvent.EVFILT_USER : null;
      case LIBKQUEUE: // -1 .. -11, FreeBSD's numbers
        return osFilter >= -11 && osFilter <= -1 ? (short) osFilter : null;
      default:
        throw new AssertionError(os);
    }
  }

  private static final Map<Integer, Short> NETBSD_FILTERS = Map.of(
      0, KEvent.EVFILT_READ, 1, KEvent.EVFILT_WRITE, 2, KEvent.EVFILT_AIO, 3, KEvent.EVFILT_VNODE,
      4, KEvent.EVFILT_PROC, 5, KEvent.EVFILT_SIGNAL, 6, KEvent.EVFILT_TIMER, 7, KEvent.EVFILT_FS,
      8, KEvent.EVFILT_USER, 9, KEvent.EVFILT_EMPTY);

  /** FreeBSD filter id to this OS's (for events). */
  int filterFromFreeBsd(short filter) {
    switch (os) {
      case MACOS:
      case OPENBSD:
        return filter == KEvent.EVFILT_USER ? -10 : filter;
      case NETBSD:
        for (Map.Entry<Integer, Short> e : NETBSD_FILTERS.entrySet()) {
          if (e.getValue() == filter) {
            return e.getKey();
          }
        }
        throw new IllegalArgumentException("no NetBSD filter for " + filter);
      default:
        return filter;
    }
  }

  /** The EV_* bits a change may carry on this OS. */
  int changeFlagMask() {
    // EV_ADD 0x1 .. EV_DISPATCH 0x80 everywhere; EV_FORCEONESHOT 0x100 on FreeBSD only
    return os == Os.FREEBSD ? 0x01FF : 0x00FF;
  }

  /** EVFILT_TIMER fflags of this OS to FreeBSD's. */
  int timerToFreeBsd(int f) {
    switch (os) {
      case MACOS:
      case LIBKQUEUE: // NOTE_SECONDS 1, NOTE_USECONDS 2, NOTE_NSECONDS 4, NOTE_ABSOLUTE 8
        return ((f & 1) != 0 ? KEvent.NOTE_SECONDS : 0) | ((f & 2) != 0 ? KEvent.NOTE_USECONDS : 0)
            | ((f & 4) != 0 ? KEvent.NOTE_NSECONDS : 0) | ((f & 8) != 0 ? KEvent.NOTE_ABSTIME : 0);
      case NETBSD:
      case OPENBSD: { // NOTE_MSECONDS 0, NOTE_SECONDS 1, NOTE_USECONDS 2, NOTE_NSECONDS 3, ABSTIME 0x10
        int[] units = {0, KEvent.NOTE_SECONDS, KEvent.NOTE_USECONDS, KEvent.NOTE_NSECONDS};
        return units[f & 3] | ((f & 0x10) != 0 ? KEvent.NOTE_ABSTIME : 0);
      }
      default:
        return f;
    }
  }

  /** FreeBSD errno to this OS's, for the errors the fake reports. */
  int errnoFromFreeBsd(int errno) {
    if (os == Os.LIBKQUEUE) { // Linux asm-generic/errno*.h
      switch (errno) {
        case 35: return 11; // EAGAIN
        case 45: return 95; // EOPNOTSUPP
        case 60: return 110; // ETIMEDOUT
        case 78: return 38; // ENOSYS
        default: return errno; // EPERM .. ERANGE share numbers
      }
    }
    return errno; // the BSDs share 4.4BSD's numbers up to 81
  }
}
