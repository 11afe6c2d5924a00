package io.kqueue4j;

import java.util.Arrays;

/**
 * A reusable, index-addressed array of kevents for an allocation-free event loop (the flyweight
 * beside the friendly {@code KEvent[]} call, as Netty's {@code KQueueEventArray}).
 *
 * <p>Fill it with {@link #add} to submit changes, or pass it as the event list and read entries
 * {@code 0} to {@link #size()} - 1 after {@link KQueue#kevent(KEventBuffer, KEventBuffer, long)}.
 *
 * <p>Not thread-safe: one buffer belongs to one thread at a time.
 */
public final class KEventBuffer {
  private final long[] ident;
  private final short[] filter;
  private final int[] flags;
  private final int[] fflags;
  private final long[] data;
  private final Object[] udata;
  private int size;

  /** A buffer that holds up to {@code capacity} kevents. */
  public KEventBuffer(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity " + capacity + " is negative");
    }
    ident = new long[capacity];
    filter = new short[capacity];
    flags = new int[capacity];
    fflags = new int[capacity];
    data = new long[capacity];
    udata = new Object[capacity];
  }

  /** How many kevents the buffer can hold. */
  public int capacity() {
    return ident.length;
  }

  /** How many entries are valid. */
  public int size() {
    return size;
  }

  /** Forgets every entry (and drops the references to their udata). */
  public void clear() {
    Arrays.fill(udata, 0, size, null);
    size = 0;
  }

  /**
   * Appends a kevent ({@code EV_SET} on the next free entry).
   *
   * @throws IndexOutOfBoundsException when the buffer is full
   */
  public KEventBuffer add(long ident, short filter, int flags, int fflags, long data, Object udata) {
    set(size, ident, filter, flags, fflags, data, udata);
    size++;
    return this;
  }

  /** Stores a kevent at {@code index}, which must be below the capacity. */
  public void set(int index, long ident, short filter, int flags, int fflags, long data, Object udata) {
    this.ident[index] = ident;
    this.filter[index] = filter;
    this.flags[index] = flags;
    this.fflags[index] = fflags;
    this.data[index] = data;
    this.udata[index] = udata;
  }

  /**
   * Sets how many entries are valid, as a backend does after storing events with {@link #set}.
   *
   * @throws IndexOutOfBoundsException when {@code size} is negative or above the capacity
   */
  public void setSize(int size) {
    if (size < 0 || size > capacity()) {
      throw new IndexOutOfBoundsException("size " + size + " outside 0.." + capacity());
    }
    if (size < this.size) {
      Arrays.fill(udata, size, this.size, null);
    }
    this.size = size;
  }

  public long ident(int index) {
    return ident[check(index)];
  }

  public short filter(int index) {
    return filter[check(index)];
  }

  public int flags(int index) {
    return flags[check(index)];
  }

  public int fflags(int index) {
    return fflags[check(index)];
  }

  public long data(int index) {
    return data[check(index)];
  }

  public Object udata(int index) {
    return udata[check(index)];
  }

  /** Entry {@code index} as a {@link KEvent} (allocates). */
  public KEvent get(int index) {
    check(index);
    return new KEvent(ident[index], filter[index], flags[index], fflags[index], data[index], udata[index]);
  }

  private int check(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("index " + index + " outside 0.." + (size - 1));
    }
    return index;
  }
}
