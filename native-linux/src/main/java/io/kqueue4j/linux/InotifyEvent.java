package io.kqueue4j.linux;

import io.kqueue4j.linux.internal.PathBytes;
import java.nio.ByteBuffer;

/**
 * One {@code struct inotify_event} in {@link Inotify}'s read buffer, seen through a reused
 * flyweight: valid only inside {@link Handler#onEvent}, and allocating only when {@link #name()} is
 * asked for.
 *
 * <p>Layout: {@code int wd} at 0, {@code uint32_t mask} at 4, {@code uint32_t cookie} at 8, {@code
 * uint32_t len} at 12, then {@code len} bytes of NUL-padded name at 16.
 */
public final class InotifyEvent {

  /** {@code sizeof(struct inotify_event)} without the name. */
  public static final int HEADER_SIZE = 16;

  static final int WD_OFFSET = 0;
  static final int MASK_OFFSET = 4;
  static final int COOKIE_OFFSET = 8;
  static final int LEN_OFFSET = 12;

  /** Receives the events of one {@link Inotify#read} call, in the kernel's order. */
  @FunctionalInterface
  public interface Handler {
    /**
     * Called once per event; {@code event} is reused and must not be kept.
     *
     * @param event the current event, valid until this method returns
     */
    void onEvent(InotifyEvent event);
  }

  private ByteBuffer buffer;
  private int offset;
  private String name;

  InotifyEvent() {}

  /** Points this flyweight at the record at {@code offset}; returns the offset of the next one. */
  int wrap(ByteBuffer buffer, int offset) {
    this.buffer = buffer;
    this.offset = offset;
    this.name = null;
    return offset + HEADER_SIZE + nameCapacity();
  }

  /**
   * {@code wd}: the watch descriptor {@link Inotify#addWatch} returned, -1 for {@code
   * IN_Q_OVERFLOW}.
   *
   * @return the watch descriptor
   */
  public int wd() {
    return buffer.getInt(offset + WD_OFFSET);
  }

  /**
   * {@code mask}: the {@code IN_*} bits that describe the event.
   *
   * @return the event's mask, such as {@code IN_CREATE | IN_ISDIR}
   */
  public int mask() {
    return buffer.getInt(offset + MASK_OFFSET);
  }

  /**
   * {@code cookie}: pairs an {@code IN_MOVED_FROM} with its {@code IN_MOVED_TO}, else 0.
   *
   * @return the cookie, an unsigned 32-bit value
   */
  public int cookie() {
    return buffer.getInt(offset + COOKIE_OFFSET);
  }

  /**
   * True when every bit of {@code bits} is set in {@link #mask()}.
   *
   * @param bits one or more {@code IN_*} bits
   * @return whether the mask contains all of them
   */
  public boolean is(int bits) {
    return (mask() & bits) == bits;
  }

  /**
   * The length in bytes of the name without its NUL padding; 0 for an event on the watch itself.
   *
   * @return the name's length in bytes
   */
  public int nameLength() {
    int start = offset + HEADER_SIZE;
    int capacity = nameCapacity();
    int length = 0;
    while (length < capacity && buffer.get(start + length) != 0) {
      length++;
    }
    return length;
  }

  /**
   * The name of the entry in the watched directory, decoded as the JDK decodes file names; {@code
   * ""} for an event on the watched object itself. Allocates once per event.
   *
   * @return the entry's name, never null
   */
  public String name() {
    if (name == null) {
      int length = nameLength();
      if (length == 0) {
        name = "";
      } else {
        byte[] bytes = new byte[length];
        buffer.get(offset + HEADER_SIZE, bytes);
        name = new String(bytes, PathBytes.FILE_NAME_CHARSET);
      }
    }
    return name;
  }

  private int nameCapacity() {
    return buffer.getInt(offset + LEN_OFFSET);
  }

  @Override
  public String toString() {
    return "InotifyEvent[wd="
        + wd()
        + ", mask="
        + Inotify.maskToString(mask())
        + ", cookie="
        + Integer.toUnsignedString(cookie())
        + ", name="
        + name()
        + "]";
  }
}
