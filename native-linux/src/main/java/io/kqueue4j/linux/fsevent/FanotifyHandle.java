package io.kqueue4j.linux.fsevent;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A directory's identity as fanotify reports it: the file system's {@code fsid} and the opaque
 * {@code struct file_handle} ({@code handle_type} and {@code f_handle}), compared by value. The
 * same bytes come from an event's info record and from {@code name_to_handle_at} plus {@code
 * fstatfs} during a walk.
 */
final class FanotifyHandle {

  /** {@code struct file_handle}: {@code handle_bytes} (u32), {@code handle_type} (int), bytes. */
  static final int FILE_HANDLE_HEADER = 8;

  /** {@code MAX_HANDLE_SZ}. */
  static final int MAX_HANDLE_SZ = 128;

  private final byte[] bytes;
  private final int hash;

  private FanotifyHandle(byte[] bytes) {
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
  }

  /**
   * The handle of {@code fsid} (its 8 bytes as a native long) and the {@code struct file_handle} at
   * {@code offset} of {@code buffer}.
   */
  static FanotifyHandle of(long fsid, ByteBuffer buffer, int offset) {
    int length = buffer.getInt(offset);
    if (length < 0 || length > MAX_HANDLE_SZ) {
      throw new IllegalArgumentException("file handle of " + length + " bytes");
    }
    byte[] b = new byte[12 + length];
    ByteBuffer out = ByteBuffer.wrap(b).order(java.nio.ByteOrder.nativeOrder());
    out.putLong(fsid);
    out.putInt(buffer.getInt(offset + 4));
    buffer.get(offset + FILE_HANDLE_HEADER, b, 12, length);
    return new FanotifyHandle(b);
  }

  /** The {@code fsid} part, as given to {@link #of}. */
  long fsid() {
    return ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.nativeOrder()).getLong(0);
  }

  /** The bytes just after the {@code struct file_handle} at {@code offset}. */
  static int end(ByteBuffer buffer, int offset) {
    return offset + FILE_HANDLE_HEADER + buffer.getInt(offset);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FanotifyHandle h && h.hash == hash && Arrays.equals(h.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("handle[");
    for (byte x : bytes) {
      s.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
    }
    return s.append(']').toString();
  }
}
