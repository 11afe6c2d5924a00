package io.kqueue4j.bsd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.kqueue4j.bsd.internal.KeventLayout.CallStyle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * Every offset and width of every {@code struct kevent} the backend speaks, against the OS headers,
 * for LP64 (pointers, {@code long}, {@code intptr_t} and {@code time_t} are 8 bytes, natural
 * alignment). Each test names the header and quotes the declaration it reads.
 */
class KeventLayoutTest {

  /** Asserts the whole shape: size, and offset and width of each member. */
  private static void shape(KeventLayout l, int size, int filterWidth, int flagsOffset,
      int flagsWidth, int fflagsOffset, int dataOffset, int udataOffset, int extOffset,
      int extCount) {
    assertEquals(size, l.size(), l + " sizeof");
    assertEquals(0, KeventLayout.IDENT_OFFSET, "ident offset");
    assertEquals(8, KeventLayout.IDENT_WIDTH, "ident width");
    assertEquals(8, KeventLayout.FILTER_OFFSET, "filter offset");
    assertEquals(filterWidth, l.filterWidth(), l + " filter width");
    assertEquals(flagsOffset, l.flagsOffset(), l + " flags offset");
    assertEquals(flagsWidth, l.flagsWidth(), l + " flags width");
    assertEquals(fflagsOffset, l.fflagsOffset(), l + " fflags offset");
    assertEquals(4, KeventLayout.FFLAGS_WIDTH, "fflags width");
    assertEquals(dataOffset, l.dataOffset(), l + " data offset");
    assertEquals(8, KeventLayout.DATA_WIDTH, "data width");
    assertEquals(udataOffset, l.udataOffset(), l + " udata offset");
    assertEquals(8, KeventLayout.UDATA_WIDTH, "udata width");
    assertEquals(extOffset, l.extOffset(), l + " ext offset");
    assertEquals(extCount, l.extCount(), l + " ext count");
    assertEquals(8, KeventLayout.EXT_WIDTH, "ext width");
    assertEquals(size, extOffset + 8 * extCount, l + ": nothing after ext");
  }

  /**
   * FreeBSD {@code sys/sys/event.h} (12.0 and later): {@code __uintptr_t ident; short filter;
   * unsigned short flags; unsigned int fflags; __int64_t data; void *udata; __uint64_t ext[4];}.
   */
  @Test
  void freebsd12() {
    shape(KeventLayout.FREEBSD12, 64, 2, 10, 2, 12, 16, 24, 32, 4);
    assertSame(CallStyle.INT_COUNTS, KeventLayout.FREEBSD12.callStyle());
    assertEquals("kevent", KeventLayout.FREEBSD12.symbol());
  }

  /**
   * FreeBSD {@code sys/sys/event.h}, {@code struct kevent_freebsd11} ({@code kevent@FBSD_1.0}):
   * {@code __uintptr_t ident; short filter; unsigned short flags; unsigned int fflags; __intptr_t
   * data; void *udata;}.
   */
  @Test
  void freebsd11() {
    shape(KeventLayout.FREEBSD11, 32, 2, 10, 2, 12, 16, 24, 32, 0);
  }

  /**
   * XNU {@code bsd/sys/event.h}, under {@code #pragma pack(4)}: {@code uintptr_t ident; int16_t
   * filter; uint16_t flags; uint32_t fflags; intptr_t data; void *udata;}. Packing to 4 moves
   * nothing on LP64: every member already sits on its natural boundary.
   */
  @Test
  void macos() {
    shape(KeventLayout.MACOS, 32, 2, 10, 2, 12, 16, 24, 32, 0);
  }

  /**
   * XNU {@code bsd/sys/event.h}: {@code struct kevent64_s { uint64_t ident; int16_t filter;
   * uint16_t flags; uint32_t fflags; int64_t data; uint64_t udata; uint64_t ext[2]; }}, taken by
   * {@code kevent64(int, const struct kevent64_s *, int, struct kevent64_s *, int, unsigned int
   * flags, const struct timespec *)}.
   */
  @Test
  void macosKevent64() {
    shape(KeventLayout.MACOS_KEVENT64, 48, 2, 10, 2, 12, 16, 24, 32, 2);
    assertSame(CallStyle.KEVENT64, KeventLayout.MACOS_KEVENT64.callStyle());
    assertEquals("kevent64", KeventLayout.MACOS_KEVENT64.symbol());
  }

  /**
   * NetBSD {@code sys/sys/event.h} rev. 1.54 (netbsd-10): {@code uintptr_t ident; uint32_t filter;
   * uint32_t flags; uint32_t fflags; int64_t data; void *udata;} (4 bytes of padding before {@code
   * data}), and {@code int kevent(int, const struct kevent *, size_t, struct kevent *, size_t,
   * const struct timespec *) __RENAME(__kevent50)}.
   */
  @Test
  void netbsd10() {
    shape(KeventLayout.NETBSD10, 40, 4, 12, 4, 16, 24, 32, 40, 0);
    assertSame(CallStyle.SIZE_T_COUNTS, KeventLayout.NETBSD10.callStyle());
    assertEquals("__kevent50", KeventLayout.NETBSD10.symbol());
  }

  /**
   * NetBSD {@code sys/compat/sys/event.h} rev. 1.4: {@code struct kevent100} is the NetBSD 10 struct
   * above, copied as the prefix of the current {@code struct kevent} taken by {@code
   * __kevent100(int, const struct kevent *, size_t, struct kevent *, size_t, const struct timespec
   * *)}; the current struct adds {@code uint64_t ext[4]} (not read from a stored header: see
   * docs/native-bsd.md).
   */
  @Test
  void netbsd11() {
    shape(KeventLayout.NETBSD11, 72, 4, 12, 4, 16, 24, 32, 40, 4);
    assertEquals("__kevent100", KeventLayout.NETBSD11.symbol());
  }

  /**
   * OpenBSD {@code sys/sys/event.h} rev. 1.74: {@code __uintptr_t ident; short filter; unsigned
   * short flags; unsigned int fflags; __int64_t data; void *udata;}.
   */
  @Test
  void openbsd() {
    shape(KeventLayout.OPENBSD, 32, 2, 10, 2, 12, 16, 24, 32, 0);
  }

  /**
   * libkqueue {@code include/sys/event.h.in}: {@code uintptr_t ident; short filter; unsigned short
   * flags; unsigned int fflags; intptr_t data; void *udata;}, {@code int kevent(int kq, const
   * struct kevent *changelist, int nchanges, ...)}.
   */
  @Test
  void libkqueue() {
    shape(KeventLayout.LIBKQUEUE, 32, 2, 10, 2, 12, 16, 24, 32, 0);
  }

  /** {@code struct timespec { time_t tv_sec; long tv_nsec; }}: 16 bytes on every LP64 BSD and Linux. */
  @Test
  void timespec() {
    assertEquals(16, KeventLayout.TIMESPEC_SIZE);
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
    KeventLayout.writeTimespec(b, 0, 2_500_000_001L);
    assertEquals(2, b.getLong(0));
    assertEquals(500_000_001L, b.getLong(8));
  }

  @Test
  void write_then_read_round_trips_and_zeroes_the_rest() {
    for (KeventLayout l : KeventLayout.values()) {
      ByteBuffer b = ByteBuffer.allocate(2 * l.size()).order(ByteOrder.nativeOrder());
      for (int i = 0; i < b.capacity(); i++) {
        b.put(i, (byte) 0x5A);
      }
      l.write(b, 1, -2L, l.filterWidth() == 2 ? -11 : 8, 0xC0F1, 0xC1000001, Long.MIN_VALUE, 77L);
      assertEquals(-2L, l.ident(b, 1), l.id());
      assertEquals(l.filterWidth() == 2 ? -11 : 8, l.filter(b, 1), l.id());
      assertEquals(l.flagsWidth() == 2 ? 0xC0F1 : 0xC0F1, l.flags(b, 1), l.id());
      assertEquals(0xC1000001, l.fflags(b, 1), l.id());
      assertEquals(Long.MIN_VALUE, l.data(b, 1), l.id());
      assertEquals(77L, l.udata(b, 1), l.id());
      for (int e = 0; e < l.extCount(); e++) {
        assertEquals(0L, b.getLong(l.size() + l.extOffset() + 8 * e), l.id() + " ext");
      }
      assertEquals((byte) 0x5A, b.get(0), l.id() + ": entry 0 untouched");
      l.clearFlags(b, 1);
      assertEquals(0, l.flags(b, 1));
      assertEquals(-2L, l.ident(b, 1), "clearFlags touches nothing else");
    }
  }

  @Test
  void ids_are_unique_and_found() {
    for (KeventLayout l : KeventLayout.values()) {
      assertSame(l, KeventLayout.byId(l.id()));
    }
    assertNull(KeventLayout.byId("plan9"));
  }
}
