package io.kqueue4j.filters.vnode;

/**
 * How many knotes ask for each {@code NOTE_*} bit of one {@link Vnode}, and the union of their
 * requests: what the source must watch for. Not thread-safe; the source guards it.
 */
public final class NoteCounts {
  private final int[] counts = new int[Integer.SIZE];
  private int union;

  /** No knote yet. */
  public NoteCounts() {}

  /**
   * The bits at least one knote asks for.
   *
   * @return the union of the {@code NOTE_*} bits counted
   */
  public int union() {
    return union;
  }

  /**
   * Counts one more knote asking for {@code notes}; returns the new union.
   *
   * @param notes the {@code NOTE_*} bits the knote asks for
   * @return the union after the addition
   */
  public int add(int notes) {
    for (int bits = notes; bits != 0; bits &= bits - 1) {
      int bit = Integer.numberOfTrailingZeros(bits);
      if (counts[bit]++ == 0) {
        union |= 1 << bit;
      }
    }
    return union;
  }

  /**
   * Counts one knote fewer asking for {@code notes}; returns the new union. A bit whose count is
   * already 0 is left alone.
   *
   * @param notes the {@code NOTE_*} bits the departing knote asked for
   * @return the union after the removal
   */
  public int remove(int notes) {
    for (int bits = notes; bits != 0; bits &= bits - 1) {
      int bit = Integer.numberOfTrailingZeros(bits);
      if (counts[bit] > 0 && --counts[bit] == 0) {
        union &= ~(1 << bit);
      }
    }
    return union;
  }
}
