package io.kqueue4j.linux;

import io.kqueue4j.linux.internal.Abi;
import io.kqueue4j.linux.internal.DirectBuffers;
import java.nio.ByteBuffer;

/**
 * A reusable off-heap array of {@code struct epoll_event} that {@link Epoll#waitEvents} fills, read
 * by index without allocation (Netty's {@code EpollEventArray} shape).
 *
 * <p>The struct is {@code { uint32_t events; uint64_t data; }}, declared {@code __EPOLL_PACKED} on
 * x86_64 only: there it is 12 bytes with {@code data} at offset 4; on every other CPU it is 16
 * bytes with {@code data} at offset 8. Not thread-safe: one waiting thread owns an array.
 */
public final class EpollEventArray {

  /** {@code sizeof(struct epoll_event)} on this CPU. */
  public static final int SIZE = Abi.epollEventPacked() ? 12 : 16;

  /** {@code offsetof(struct epoll_event, data)} on this CPU. */
  public static final int DATA_OFFSET = Abi.epollEventPacked() ? 4 : 8;

  private static final int EVENTS_OFFSET = 0;

  private final ByteBuffer memory;
  private final long address;
  private final int capacity;

  /**
   * An array of {@code capacity} events.
   *
   * @param capacity the number of entries, the {@code maxevents} of each wait
   * @throws IllegalArgumentException if {@code capacity} is not positive
   */
  public EpollEventArray(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.capacity = capacity;
    this.memory = DirectBuffers.allocate(capacity * SIZE);
    this.address = DirectBuffers.address(memory);
  }

  /**
   * The {@code maxevents} passed to {@code epoll_wait}.
   *
   * @return the number of entries
   */
  public int capacity() {
    return capacity;
  }

  /**
   * {@code events[index].events}: the ready mask ({@link Epoll#EPOLLIN}, ...).
   *
   * @param index the entry, below the count {@link Epoll#waitEvents} returned
   * @return the {@code EPOLL*} bits that are ready
   * @throws IndexOutOfBoundsException if {@code index} is outside the capacity
   */
  public int events(int index) {
    return memory.getInt(offset(index) + EVENTS_OFFSET);
  }

  /**
   * {@code events[index].data.u64}: the value given to {@link Epoll#add}.
   *
   * @param index the entry, below the count {@link Epoll#waitEvents} returned
   * @return the registered data of the ready descriptor
   * @throws IndexOutOfBoundsException if {@code index} is outside the capacity
   */
  public long data(int index) {
    return memory.getLong(offset(index) + DATA_OFFSET);
  }

  long address() {
    return address;
  }

  private int offset(int index) {
    if (index < 0 || index >= capacity) {
      throw new IndexOutOfBoundsException(index);
    }
    return index * SIZE;
  }
}
