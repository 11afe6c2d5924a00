package io.kqueue4j.kernel;

import java.util.Arrays;

/**
 * Objects by small int id, for queues that hold ids in {@code int} arrays in place of references.
 *
 * <p>Why: under G1, storing a reference into a long-lived array runs a write barrier whose fence
 * (a {@code StoreLoad} barrier, for a store that crosses heap regions) a queue would pay on every
 * insertion; an {@code int} store has no barrier. The kqueue's active queue and the timer queues
 * store ids, and each object is written into this table once, when it gets its id.
 *
 * <p>Ids start at 1, so that 0 can mean none; an id given back is handed out again before any new
 * one, so the ids stay below the most objects ever held at once (plus one). The table is paged
 * ({@value #PAGE} ids a page), so that it never copies its objects when it grows and no page is a
 * humongous G1 object; a page is made when its first id is handed out.
 *
 * <p>Not thread-safe: its owner's lock guards it.
 *
 * @param <T> the type of the objects
 */
public final class IdTable<T> {
  private static final int SHIFT = 10;
  /** Ids per page. */
  static final int PAGE = 1 << SHIFT;
  private static final int MASK = PAGE - 1;

  private Object[][] pages = new Object[1][];
  /** The highest id handed out. */
  private int lastId;
  /** Ids given back, to hand out again, the last given back first. */
  private int[] freeIds = new int[16];
  private int freeCount;

  /** An empty table; it allocates its first page with its first id. */
  public IdTable() {}

  /**
   * Gives {@code item} an id.
   *
   * @param item the object, not {@code null}
   * @return its id, at least 1; the id is in use until {@link #remove} gives it back
   */
  public int add(T item) {
    int id = freeCount > 0 ? freeIds[--freeCount] : ++lastId;
    int page = id >>> SHIFT;
    if (page == pages.length) {
      pages = Arrays.copyOf(pages, page * 2);
    }
    if (pages[page] == null) {
      pages[page] = new Object[PAGE];
    }
    pages[page][id & MASK] = item;
    return id;
  }

  /**
   * The object of an id in use.
   *
   * @param id an id that {@link #add} handed out and {@link #remove} has not given back
   * @return its object
   */
  @SuppressWarnings("unchecked")
  public T get(int id) {
    return (T) pages[id >>> SHIFT][id & MASK];
  }

  /**
   * Gives an id back: it no longer holds its object and will be handed out again.
   *
   * @param id an id in use
   */
  public void remove(int id) {
    pages[id >>> SHIFT][id & MASK] = null;
    if (freeCount == freeIds.length) {
      freeIds = Arrays.copyOf(freeIds, freeCount * 2);
    }
    freeIds[freeCount++] = id;
  }

  /**
   * How many ids are in use.
   *
   * @return the ids handed out and not given back
   */
  public int size() {
    return lastId - freeCount;
  }

  /**
   * The highest id handed out so far, for checks that ids are handed out again.
   *
   * @return the highest id ever in use, 0 before the first
   */
  public int highestId() {
    return lastId;
  }
}
