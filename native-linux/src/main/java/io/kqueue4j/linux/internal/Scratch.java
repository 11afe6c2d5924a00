package io.kqueue4j.linux.internal;

import java.nio.ByteBuffer;

/**
 * A small per-thread native buffer for out-parameters ({@code struct epoll_event}, the {@code int}
 * of {@code FIONREAD}, {@code siginfo_t}, {@code struct statx}), so that those calls allocate
 * nothing after a thread's first call.
 *
 * <p>Callers decode the result before making another call on the same thread; no binding calls back
 * into Java, so the buffer is never used by two calls at once.
 */
public final class Scratch {

  /** Large enough for {@code struct statx} (256 bytes), the largest user. */
  public static final int SIZE = 256;

  private static final ThreadLocal<Scratch> PER_THREAD = ThreadLocal.withInitial(Scratch::new);

  private final ByteBuffer buffer = DirectBuffers.allocate(SIZE);
  private final long address = DirectBuffers.address(buffer);

  private Scratch() {}

  /** This thread's scratch buffer. */
  public static Scratch get() {
    return PER_THREAD.get();
  }

  /** Native-order view of the memory at {@link #address()}. */
  public ByteBuffer buffer() {
    return buffer;
  }

  public long address() {
    return address;
  }

  /** Zeroes the first {@code length} bytes. */
  public Scratch clear(int length) {
    for (int i = 0; i < length; i += Long.BYTES) {
      buffer.putLong(i, 0L);
    }
    return this;
  }
}
