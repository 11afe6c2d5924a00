package io.kqueue4j.bsd.internal;

import java.nio.ByteBuffer;

/**
 * The shapes of {@code struct kevent} this backend reads and writes, one per C entry point, on
 * LP64 ABIs (every pointer, {@code long} and {@code time_t} 64 bits wide). The offsets and widths
 * are pinned against each OS's {@code sys/event.h} by {@code KeventLayoutTest}.
 *
 * <p>Entries are encoded in native byte order into direct buffers; {@link #write} clears the whole
 * entry first, so padding and the {@code ext[]} words the kernel may read are always zero, as
 * {@code EV_SET} leaves them.
 */
public enum KeventLayout {
  /** FreeBSD 12 and later, {@code kevent@@FBSD_1.5}: 64-bit {@code data}, {@code ext[4]}. */
  FREEBSD12("freebsd12", Dialect.FREEBSD, CallStyle.INT_COUNTS, "kevent", 64, 2, 12, 16, 24, 32, 4),
  /** FreeBSD 11 and earlier, {@code kevent@FBSD_1.0}: {@code intptr_t data}, no {@code ext}. */
  FREEBSD11("freebsd11", Dialect.FREEBSD, CallStyle.INT_COUNTS, "kevent", 32, 2, 12, 16, 24, 32, 0),
  /** macOS {@code struct kevent} through {@code kevent()}. */
  MACOS("macos", Dialect.MACOS, CallStyle.INT_COUNTS, "kevent", 32, 2, 12, 16, 24, 32, 0),
  /** macOS {@code struct kevent64_s} through {@code kevent64()}: 64-bit fields, {@code ext[2]}. */
  MACOS_KEVENT64(
      "macos-kevent64", Dialect.MACOS, CallStyle.KEVENT64, "kevent64", 48, 2, 12, 16, 24, 32, 2),
  /**
   * NetBSD 5 to 10, {@code __kevent50}: 32-bit {@code filter} and {@code flags}, {@code size_t}
   * counts.
   */
  NETBSD10(
      "netbsd10", Dialect.NETBSD, CallStyle.SIZE_T_COUNTS, "__kevent50", 40, 4, 16, 24, 32, 40, 0),
  /** NetBSD 11, {@code __kevent100}: the NetBSD 10 struct followed by {@code ext[4]}. */
  NETBSD11(
      "netbsd11", Dialect.NETBSD, CallStyle.SIZE_T_COUNTS, "__kevent100", 72, 4, 16, 24, 32, 40, 4),
  /** OpenBSD 5.2 and later: 64-bit {@code data}, no {@code ext}. */
  OPENBSD("openbsd", Dialect.OPENBSD, CallStyle.INT_COUNTS, "kevent", 32, 2, 12, 16, 24, 32, 0),
  /** libkqueue on Linux: the classic FreeBSD 11 shape. */
  LIBKQUEUE("libkqueue", Dialect.LIBKQUEUE, CallStyle.INT_COUNTS, "kevent", 32, 2, 12, 16, 24, 32, 0);

  /** How the C entry point takes its arguments. */
  public enum CallStyle {
    /** {@code int kevent(int, const struct kevent *, int, struct kevent *, int, const struct timespec *)}. */
    INT_COUNTS,
    /** NetBSD: the counts are {@code size_t}. */
    SIZE_T_COUNTS,
    /** macOS {@code kevent64}: an extra {@code unsigned int flags} before the timeout. */
    KEVENT64
  }

  /** {@code sizeof(struct timespec)} on LP64: {@code time_t tv_sec} then {@code long tv_nsec}. */
  public static final int TIMESPEC_SIZE = 16;

  public static final int IDENT_OFFSET = 0;
  public static final int IDENT_WIDTH = 8;
  public static final int FILTER_OFFSET = 8;
  public static final int FFLAGS_WIDTH = 4;
  public static final int DATA_WIDTH = 8;
  public static final int UDATA_WIDTH = 8;
  public static final int EXT_WIDTH = 8;

  private final String id;
  private final Dialect dialect;
  private final CallStyle callStyle;
  private final String symbol;
  private final int size;
  private final int filterWidth;
  private final int flagsOffset;
  private final int flagsWidth;
  private final int fflagsOffset;
  private final int dataOffset;
  private final int udataOffset;
  private final int extOffset;
  private final int extCount;

  KeventLayout(String id, Dialect dialect, CallStyle callStyle, String symbol, int size,
      int filterWidth, int fflagsOffset, int dataOffset, int udataOffset, int extOffset,
      int extCount) {
    this.id = id;
    this.dialect = dialect;
    this.callStyle = callStyle;
    this.symbol = symbol;
    this.size = size;
    this.filterWidth = filterWidth;
    this.flagsOffset = FILTER_OFFSET + filterWidth;
    this.flagsWidth = filterWidth;
    this.fflagsOffset = fflagsOffset;
    this.dataOffset = dataOffset;
    this.udataOffset = udataOffset;
    this.extOffset = extOffset;
    this.extCount = extCount;
  }

  /** The name used in diagnostics and by the {@code kqueue4j.native.layout} property. */
  public String id() {
    return id;
  }

  /** The layout named {@code id}, or {@code null}. */
  public static KeventLayout byId(String id) {
    for (KeventLayout layout : values()) {
      if (layout.id.equals(id)) {
        return layout;
      }
    }
    return null;
  }

  /** Whose constants the kernel behind this layout speaks. */
  public Dialect dialect() {
    return dialect;
  }

  public CallStyle callStyle() {
    return callStyle;
  }

  /** The C symbol that takes this layout. */
  public String symbol() {
    return symbol;
  }

  /** {@code sizeof} the struct. */
  public int size() {
    return size;
  }

  public int filterWidth() {
    return filterWidth;
  }

  public int flagsOffset() {
    return flagsOffset;
  }

  public int flagsWidth() {
    return flagsWidth;
  }

  public int fflagsOffset() {
    return fflagsOffset;
  }

  public int dataOffset() {
    return dataOffset;
  }

  public int udataOffset() {
    return udataOffset;
  }

  /** Offset of {@code ext[0]}; equal to {@link #size()} when there is no {@code ext}. */
  public int extOffset() {
    return extOffset;
  }

  public int extCount() {
    return extCount;
  }

  /** Stores one entry at {@code index}; every other byte of the entry is zeroed. */
  public void write(ByteBuffer buf, int index, long ident, int filter, int flags, int fflags,
      long data, long udata) {
    int base = index * size;
    for (int off = 0; off < size; off += 8) {
      buf.putLong(base + off, 0L);
    }
    buf.putLong(base + IDENT_OFFSET, ident);
    if (filterWidth == 2) {
      buf.putShort(base + FILTER_OFFSET, (short) filter);
      buf.putShort(base + flagsOffset, (short) flags);
    } else {
      buf.putInt(base + FILTER_OFFSET, filter);
      buf.putInt(base + flagsOffset, flags);
    }
    buf.putInt(base + fflagsOffset, fflags);
    buf.putLong(base + dataOffset, data);
    buf.putLong(base + udataOffset, udata);
  }

  /** Zeroes the flags of the entry at {@code index}. */
  public void clearFlags(ByteBuffer buf, int index) {
    int at = index * size + flagsOffset;
    if (flagsWidth == 2) {
      buf.putShort(at, (short) 0);
    } else {
      buf.putInt(at, 0);
    }
  }

  public long ident(ByteBuffer buf, int index) {
    return buf.getLong(index * size + IDENT_OFFSET);
  }

  /** The filter as the OS numbers it: a sign-extended {@code short}, or NetBSD's {@code uint32_t}. */
  public int filter(ByteBuffer buf, int index) {
    int at = index * size + FILTER_OFFSET;
    return filterWidth == 2 ? buf.getShort(at) : buf.getInt(at);
  }

  /** The flags, unsigned. */
  public int flags(ByteBuffer buf, int index) {
    int at = index * size + flagsOffset;
    return flagsWidth == 2 ? buf.getShort(at) & 0xFFFF : buf.getInt(at);
  }

  public int fflags(ByteBuffer buf, int index) {
    return buf.getInt(index * size + fflagsOffset);
  }

  public long data(ByteBuffer buf, int index) {
    return buf.getLong(index * size + dataOffset);
  }

  public long udata(ByteBuffer buf, int index) {
    return buf.getLong(index * size + udataOffset);
  }

  /** Stores {@code struct timespec} for {@code nanos} (not negative) at byte {@code offset}. */
  public static void writeTimespec(ByteBuffer buf, int offset, long nanos) {
    buf.putLong(offset, nanos / 1_000_000_000L);
    buf.putLong(offset + 8, nanos % 1_000_000_000L);
  }
}
