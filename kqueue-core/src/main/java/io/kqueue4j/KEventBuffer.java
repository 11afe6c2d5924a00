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

  /**
   * A buffer that holds up to {@code capacity} kevents, empty at first.
   *
   * @param capacity the number of entries, fixed for the buffer's life
   * @throws IllegalArgumentException when {@code capacity} is negative
   */
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

  /**
   * How many kevents the buffer can hold.
   *
   * @return the capacity given to the constructor
   */
  public int capacity() {
    return ident.length;
  }

  /**
   * How many entries are valid.
   *
   * @return the number of entries added, or stored by the last {@code kevent} call
   */
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
   * @param ident identifier for this event: a descriptor, pid, signal number or any number
   * @param filter the filter ({@code EVFILT_*})
   * @param flags action and general flags ({@code EV_*})
   * @param fflags filter-specific flags ({@code NOTE_*})
   * @param data filter-specific data
   * @param udata opaque user data, returned unchanged
   * @return this buffer, for chained calls
   * @throws IndexOutOfBoundsException when the buffer is full
   */
  public KEventBuffer add(long ident, short filter, int flags, int fflags, long data, Object udata) {
    set(size, ident, filter, flags, fflags, data, udata);
    size++;
    return this;
  }

  /**
   * Stores a kevent at {@code index}, which must be below the capacity. The size is left as it is:
   * see {@link #setSize}.
   *
   * @param index the entry, from 0 to {@link #capacity()} - 1
   * @param ident identifier for this event: a descriptor, pid, signal number or any number
   * @param filter the filter ({@code EVFILT_*})
   * @param flags action and general flags ({@code EV_*})
   * @param fflags filter-specific flags ({@code NOTE_*})
   * @param data filter-specific data
   * @param udata opaque user data, returned unchanged
   * @throws ArrayIndexOutOfBoundsException when {@code index} is negative or not below the
   *     capacity
   */
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
   * Entries dropped from the end release their udata.
   *
   * @param size the number of valid entries, from 0 to the capacity
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

  /**
   * The {@code ident} of an entry.
   *
   * @param index the entry, from 0 to {@link #size()} - 1
   * @return the identifier: a descriptor, pid, signal number or any number
   * @throws IndexOutOfBoundsException when {@code index} is not below the size
   */
  public long ident(int index) {
    return ident[check(index)];
  }

  /**
   * The {@code filter} of an entry.
   *
   * @param index the entry, from 0 to {@link #size()} - 1
   * @return the filter id ({@code EVFILT_*})
   * @throws IndexOutOfBoundsException when {@code index} is not below the size
   */
  public short filter(int index) {
    return filter[check(index)];
  }

  /**
   * The {@code flags} of an entry.
   *
   * @param index the entry, from 0 to {@link #size()} - 1
   * @return the flags ({@code EV_*}), with {@code EV_ERROR} for a change's outcome
   * @throws IndexOutOfBoundsException when {@code index} is not below the size
   */
  public int flags(int index) {
    return flags[check(index)];
  }

  /**
   * The {@code fflags} of an entry.
   *
   * @param index the entry, from 0 to {@link #size()} - 1
   * @return the filter-specific flags ({@code NOTE_*})
   * @throws IndexOutOfBoundsException when {@code index} is not below the size
   */
  public int fflags(int index) {
    return fflags[check(index)];
  }

  /**
   * The {@code data} of an entry.
   *
   * @param index the entry, from 0 to {@link #size()} - 1
   * @return the filter-specific data, or the errno of an {@code EV_ERROR} entry
   * @throws IndexOutOfBoundsException when {@code index} is not below the size
   */
  public long data(int index) {
    return data[check(index)];
  }

  /**
   * The {@code udata} of an entry.
   *
   * @param index the entry, from 0 to {@link #size()} - 1
   * @return the user data, the same object that was registered
   * @throws IndexOutOfBoundsException when {@code index} is not below the size
   */
  public Object udata(int index) {
    return udata[check(index)];
  }

  /**
   * Entry {@code index} as a {@link KEvent} (allocates).
   *
   * @param index the entry, from 0 to {@link #size()} - 1
   * @return a new kevent with the entry's fields
   * @throws IndexOutOfBoundsException when {@code index} is not below the size
   */
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
