package io.kqueue4j.bsd.internal;

import java.util.Arrays;

/**
 * The {@code udata} objects of one native kqueue, behind the 64-bit tokens the kernel stores in
 * their place.
 *
 * <p><b>Tokens.</b> A token is a slot of a handle table and that slot's generation: {@code
 * generation << 32 | (slot + 1)}; 0 stands for {@code null}. A stale token (its slot freed, or
 * freed and reused) resolves to {@code null}, never to another knote's object.
 *
 * <p><b>Which knote holds which token.</b> The kernel keeps one {@code udata} per knote, and a
 * knote is named by {@code (ident, filter)}; so does this table. The rules that keep it leak-free:
 *
 * <ul>
 *   <li>A change that sets {@code udata} (any change but {@code EV_DELETE} and {@code
 *       EV_KEEPUDATA}) takes a new token; when the kernel accepts the change the knote's previous
 *       token is released, when it refuses it the new token is released.
 *   <li>{@code EV_DELETE} releases the knote's token, and so does any change the kernel answers
 *       with {@code ENOENT} (the knote is gone, whatever removed it).
 *   <li>An event delivered with {@code EV_ONESHOT} releases its token: the kernel has dropped the
 *       knote.
 *   <li>Closing the kqueue releases every token.
 *   <li>When {@code kevent} fails part-way without room for errors, C does not say which change
 *       failed. The tokens of changes whose outcome is unknown are all kept (the knote's earlier
 *       one as an "orphan") until the next change of that knote with a known outcome, or the
 *       close. A knote the kernel drops on its own without an event (its descriptor closed) keeps
 *       its token the same way. Both are bounded by the number of distinct knotes.
 * </ul>
 *
 * <p><b>Released is not yet free.</b> A scan that started before a token was released may still
 * return it (the kernel copied it out before the knote changed). Released tokens therefore wait in
 * a queue, stamped, until every scan that started before the release has finished (an epoch
 * scheme over a sequence counter); only then is the slot freed and its object dropped.
 *
 * <p>Not thread-safe: the owning kqueue calls every method under its lock. Steady state allocates
 * nothing: every array grows by doubling and is then reused.
 */
public final class UdataTokens {
  // ---- handle table
  private Object[] objects = new Object[16];
  private int[] generations = new int[16];
  private int[] free = new int[16];
  private int freeCount;
  private int slotCount;

  // ---- knote -> token, open addressing with linear probing
  private long[] keyIdent = new long[16];
  private short[] keyFilter = new short[16];
  private long[] keyToken = new long[16]; // 0: empty bucket
  private int keyCount;

  // ---- tokens of knotes whose latest change has an unknown outcome
  private long[] orphanIdent = new long[4];
  private short[] orphanFilter = new short[4];
  private long[] orphanToken = new long[4];
  private int orphanCount;

  // ---- released tokens waiting for older scans to finish
  private long[] retiredToken = new long[16];
  private long[] retiredStamp = new long[16];
  private int retiredHead;
  private int retiredCount;

  // ---- scans in progress, by the stamp at which they started
  private long[] activeStamps = new long[8];
  private int activeCount;
  private long sequence;

  /** A token for {@code udata}; 0 for {@code null}. */
  public long acquire(Object udata) {
    if (udata == null) {
      return 0;
    }
    int slot;
    if (freeCount > 0) {
      slot = free[--freeCount];
    } else {
      if (slotCount == objects.length) {
        objects = Arrays.copyOf(objects, slotCount * 2);
        generations = Arrays.copyOf(generations, slotCount * 2);
        free = Arrays.copyOf(free, slotCount * 2);
      }
      slot = slotCount++;
    }
    objects[slot] = udata;
    return ((long) generations[slot] << 32) | (slot + 1L);
  }

  /** The object behind {@code token}, or {@code null} for 0 or a stale token. */
  public Object resolve(long token) {
    int slot = (int) token - 1;
    if (token == 0 || slot < 0 || slot >= slotCount || generations[slot] != (int) (token >>> 32)) {
      return null;
    }
    return objects[slot];
  }

  /** Frees a token the kernel never held (its change was refused). */
  public void discard(long token) {
    if (token != 0) {
      freeSlot(token);
    }
  }

  private void freeSlot(long token) {
    int slot = (int) token - 1;
    if (slot < 0 || slot >= slotCount || generations[slot] != (int) (token >>> 32)) {
      return;
    }
    objects[slot] = null;
    generations[slot]++;
    free[freeCount++] = slot;
  }

  /** Releases a token the kernel held: freed once no scan that started earlier is running. */
  private void retire(long token) {
    if (token == 0) {
      return;
    }
    if (activeCount == 0) {
      freeSlot(token);
      return;
    }
    if (retiredCount == retiredToken.length) {
      long[] tokens = new long[retiredCount * 2];
      long[] stamps = new long[retiredCount * 2];
      for (int i = 0; i < retiredCount; i++) {
        tokens[i] = retiredToken[(retiredHead + i) % retiredCount];
        stamps[i] = retiredStamp[(retiredHead + i) % retiredCount];
      }
      retiredToken = tokens;
      retiredStamp = stamps;
      retiredHead = 0;
    }
    int at = (retiredHead + retiredCount) % retiredToken.length;
    retiredToken[at] = token;
    retiredStamp[at] = ++sequence;
    retiredCount++;
  }

  // ---------------------------------------------------------------- scans

  /** Marks the start of a scan; returns its stamp for {@link #scanEnded}. */
  public long scanStarted() {
    if (activeCount == activeStamps.length) {
      activeStamps = Arrays.copyOf(activeStamps, activeCount * 2);
    }
    long stamp = ++sequence;
    activeStamps[activeCount++] = stamp;
    return stamp;
  }

  /** Marks the end of the scan stamped {@code stamp}, and frees what no running scan can see. */
  public void scanEnded(long stamp) {
    for (int i = 0; i < activeCount; i++) {
      if (activeStamps[i] == stamp) {
        activeStamps[i] = activeStamps[--activeCount];
        break;
      }
    }
    long oldest = Long.MAX_VALUE;
    for (int i = 0; i < activeCount; i++) {
      oldest = Math.min(oldest, activeStamps[i]);
    }
    while (retiredCount > 0 && retiredStamp[retiredHead] < oldest) {
      freeSlot(retiredToken[retiredHead]);
      retiredHead = (retiredHead + 1) % retiredToken.length;
      retiredCount--;
    }
  }

  // ---------------------------------------------------------------- knotes

  /** The token the knote {@code (ident, filter)} holds, or 0. */
  public long tokenOf(long ident, short filter) {
    int b = find(ident, filter);
    return b < 0 ? 0 : keyToken[b];
  }

  /** The knote's udata was set to {@code token} (0: {@code null}): its previous tokens go. */
  public void replaced(long ident, short filter, long token) {
    releaseOrphans(ident, filter);
    int b = find(ident, filter);
    if (b >= 0) {
      long previous = keyToken[b];
      if (token == 0) {
        removeAt(b);
      } else {
        keyToken[b] = token;
      }
      retire(previous);
    } else if (token != 0) {
      insert(ident, filter, token);
    }
  }

  /** The knote is gone: its tokens go. */
  public void removed(long ident, short filter) {
    releaseOrphans(ident, filter);
    int b = find(ident, filter);
    if (b >= 0) {
      long previous = keyToken[b];
      removeAt(b);
      retire(previous);
    }
  }

  /**
   * A change that would set the knote's udata to {@code token} may or may not have been applied:
   * both tokens are kept, {@code token} as the knote's current one.
   */
  public void maybeReplaced(long ident, short filter, long token) {
    if (token == 0) {
      return;
    }
    int b = find(ident, filter);
    if (b >= 0) {
      addOrphan(ident, filter, keyToken[b]);
      keyToken[b] = token;
    } else {
      insert(ident, filter, token);
    }
  }

  /** Keeps {@code token} with the knote until its next known change (outcome unknown). */
  public void keepWith(long ident, short filter, long token) {
    if (token != 0) {
      addOrphan(ident, filter, token);
    }
  }

  /** An event with {@code EV_ONESHOT} carried {@code token}: the kernel dropped the knote. */
  public void delivered(long ident, short filter, long token) {
    if (token == 0) {
      return;
    }
    int b = find(ident, filter);
    if (b >= 0 && keyToken[b] == token) {
      removeAt(b);
      retire(token);
      releaseOrphans(ident, filter);
      return;
    }
    for (int i = 0; i < orphanCount; i++) {
      if (orphanToken[i] == token) {
        removeOrphanAt(i);
        retire(token);
        return;
      }
    }
  }

  /** Drops every token and object (the kqueue is closed). */
  public void clear() {
    Arrays.fill(objects, 0, slotCount, null);
    for (int i = 0; i < slotCount; i++) {
      generations[i]++;
    }
    freeCount = 0;
    for (int i = slotCount - 1; i >= 0; i--) {
      free[freeCount++] = i;
    }
    Arrays.fill(keyToken, 0);
    keyCount = 0;
    orphanCount = 0;
    retiredCount = 0;
    retiredHead = 0;
  }

  /** Live tokens: slots holding an object or waiting to be freed; for tests and diagnostics. */
  public int liveTokens() {
    return slotCount - freeCount;
  }

  /** Knotes with a token; for tests and diagnostics. */
  public int knotes() {
    return keyCount;
  }

  // ---------------------------------------------------------------- hash table

  private int bucket(long ident, short filter, int mask) {
    long h = (ident * 0x9E3779B97F4A7C15L) ^ (filter * 0xC2B2AE3D27D4EB4FL);
    return (int) (h ^ (h >>> 29)) & mask;
  }

  private int find(long ident, short filter) {
    int mask = keyToken.length - 1;
    for (int b = bucket(ident, filter, mask); keyToken[b] != 0; b = (b + 1) & mask) {
      if (keyIdent[b] == ident && keyFilter[b] == filter) {
        return b;
      }
    }
    return -1;
  }

  private void insert(long ident, short filter, long token) {
    if ((keyCount + 1) * 4 > keyToken.length * 3) {
      rehash(keyToken.length * 2);
    }
    int mask = keyToken.length - 1;
    int b = bucket(ident, filter, mask);
    while (keyToken[b] != 0) {
      b = (b + 1) & mask;
    }
    keyIdent[b] = ident;
    keyFilter[b] = filter;
    keyToken[b] = token;
    keyCount++;
  }

  private void rehash(int capacity) {
    long[] idents = keyIdent;
    short[] filters = keyFilter;
    long[] tokens = keyToken;
    keyIdent = new long[capacity];
    keyFilter = new short[capacity];
    keyToken = new long[capacity];
    keyCount = 0;
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i] != 0) {
        insert(idents[i], filters[i], tokens[i]);
      }
    }
  }

  /** Removes bucket {@code b}, shifting later members of its probe run back. */
  private void removeAt(int b) {
    int mask = keyToken.length - 1;
    keyToken[b] = 0;
    keyCount--;
    int hole = b;
    for (int i = (b + 1) & mask; keyToken[i] != 0; i = (i + 1) & mask) {
      int home = bucket(keyIdent[i], keyFilter[i], mask);
      boolean movable = hole <= i ? (home <= hole || home > i) : (home <= hole && home > i);
      if (movable) {
        keyIdent[hole] = keyIdent[i];
        keyFilter[hole] = keyFilter[i];
        keyToken[hole] = keyToken[i];
        keyToken[i] = 0;
        hole = i;
      }
    }
  }

  // ---------------------------------------------------------------- orphans

  private void addOrphan(long ident, short filter, long token) {
    if (orphanCount == orphanToken.length) {
      orphanIdent = Arrays.copyOf(orphanIdent, orphanCount * 2);
      orphanFilter = Arrays.copyOf(orphanFilter, orphanCount * 2);
      orphanToken = Arrays.copyOf(orphanToken, orphanCount * 2);
    }
    orphanIdent[orphanCount] = ident;
    orphanFilter[orphanCount] = filter;
    orphanToken[orphanCount] = token;
    orphanCount++;
  }

  private void releaseOrphans(long ident, short filter) {
    for (int i = orphanCount - 1; i >= 0; i--) {
      if (orphanIdent[i] == ident && orphanFilter[i] == filter) {
        long token = orphanToken[i];
        removeOrphanAt(i);
        retire(token);
      }
    }
  }

  private void removeOrphanAt(int i) {
    orphanCount--;
    orphanIdent[i] = orphanIdent[orphanCount];
    orphanFilter[i] = orphanFilter[orphanCount];
    orphanToken[i] = orphanToken[orphanCount];
  }
}
