package io.kqueue4j.linux.internal;

import com.kenai.jffi.MemoryIO;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Off-heap buffers handed to the kernel by address and read back through {@link ByteBuffer}. */
public final class DirectBuffers {

  private static final int ALIGNMENT = 8;

  private DirectBuffers() {}

  /** A zeroed, 8-byte aligned, native-order direct buffer of exactly {@code capacity} bytes. */
  public static ByteBuffer allocate(int capacity) {
    ByteBuffer raw = ByteBuffer.allocateDirect(capacity + ALIGNMENT);
    ByteBuffer aligned = raw.alignedSlice(ALIGNMENT);
    aligned.limit(capacity);
    return aligned.slice().order(ByteOrder.nativeOrder());
  }

  /** The native address of element 0 of a direct buffer (its position is ignored). */
  public static long address(ByteBuffer direct) {
    if (!direct.isDirect()) {
      throw new IllegalArgumentException("not a direct buffer");
    }
    return MemoryIO.getInstance().getDirectBufferAddress(direct);
  }
}
