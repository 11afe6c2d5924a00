package io.kqueue4j.bsd.internal;

import static io.kqueue4j.KEvent.EVFILT_READ;
import static io.kqueue4j.KEvent.EVFILT_USER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UdataTokensTest {
  private final UdataTokens t = new UdataTokens();

  @Test
  void null_is_token_zero_and_tokens_resolve_by_identity() {
    assertEquals(0, t.acquire(null));
    assertNull(t.resolve(0));
    Object a = new Object();
    long ta = t.acquire(a);
    assertNotEquals(0, ta);
    assertSame(a, t.resolve(ta));
    assertNull(t.resolve(ta + 1), "a token never handed out");
    assertNull(t.resolve(0x7FFF_FFFF_0000_0001L), "another generation");
  }

  @Test
  void a_freed_slot_is_reused_under_a_new_generation() {
    long first = t.acquire("a");
    t.discard(first);
    long second = t.acquire("b");
    assertEquals((int) first, (int) second, "same slot");
    assertNotEquals(first, second, "new generation");
    assertNull(t.resolve(first), "the stale token does not see the new object");
    assertEquals("b", t.resolve(second));
  }

  @Test
  void replacing_a_knotes_udata_releases_the_previous_token() {
    long a = t.acquire("a");
    t.replaced(1, EVFILT_USER, a);
    long b = t.acquire("b");
    t.replaced(1, EVFILT_USER, b);
    assertNull(t.resolve(a));
    assertEquals(b, t.tokenOf(1, EVFILT_USER));
    t.replaced(1, EVFILT_USER, 0);
    assertEquals(0, t.tokenOf(1, EVFILT_USER));
    assertEquals(0, t.liveTokens());
    assertEquals(0, t.knotes());
  }

  @Test
  void knotes_are_keyed_by_ident_and_filter() {
    long a = t.acquire("a");
    long b = t.acquire("b");
    t.replaced(5, EVFILT_USER, a);
    t.replaced(5, EVFILT_READ, b);
    t.removed(5, EVFILT_USER);
    assertNull(t.resolve(a));
    assertEquals("b", t.resolve(t.tokenOf(5, EVFILT_READ)));
  }

  @Test
  void oneshot_delivery_releases_only_the_token_it_carried() {
    long a = t.acquire("a");
    t.replaced(1, EVFILT_USER, a);
    long b = t.acquire("b");
    t.replaced(1, EVFILT_USER, b); // re-added before the oneshot event was handled
    t.delivered(1, EVFILT_USER, a);
    assertEquals("b", t.resolve(b));
    t.delivered(1, EVFILT_USER, b);
    assertEquals(0, t.liveTokens());
  }

  @Test
  void a_release_waits_for_scans_that_started_before_it() {
    long a = t.acquire("a");
    t.replaced(1, EVFILT_USER, a);
    long early = t.scanStarted();
    t.removed(1, EVFILT_USER);
    long late = t.scanStarted();
    assertEquals("a", t.resolve(a), "a scan that began earlier may still carry it");
    t.scanEnded(late);
    assertEquals("a", t.resolve(a));
    t.scanEnded(early);
    assertNull(t.resolve(a));
    assertEquals(0, t.liveTokens());
  }

  @Test
  void unknown_outcomes_keep_both_tokens_until_the_next_known_change() {
    long a = t.acquire("a");
    t.replaced(1, EVFILT_USER, a);
    long b = t.acquire("b");
    t.maybeReplaced(1, EVFILT_USER, b);
    long c = t.acquire("c");
    t.keepWith(1, EVFILT_USER, c);
    assertEquals("a", t.resolve(a));
    assertEquals("b", t.resolve(b));
    assertEquals(b, t.tokenOf(1, EVFILT_USER));
    t.removed(1, EVFILT_USER);
    assertEquals(0, t.liveTokens());
  }

  @Test
  void clear_drops_everything() {
    for (int i = 0; i < 100; i++) {
      t.replaced(i, EVFILT_USER, t.acquire("x" + i));
    }
    t.scanStarted();
    t.removed(3, EVFILT_USER);
    t.clear();
    assertEquals(0, t.liveTokens());
    assertEquals(0, t.knotes());
  }

  /** The hash table against a HashMap, under random inserts, replacements and removals. */
  @Test
  void random_model() {
    Random random = new Random(42);
    java.util.Map<List<Long>, Long> model = new java.util.HashMap<>();
    List<Long> all = new ArrayList<>();
    for (int step = 0; step < 20_000; step++) {
      long ident = random.nextInt(300) - 20;
      short filter = (short) -(1 + random.nextInt(3));
      List<Long> key = List.of(ident, (long) filter);
      if (random.nextInt(3) == 0) {
        t.removed(ident, filter);
        model.remove(key);
      } else {
        long token = t.acquire("v" + step);
        all.add(token);
        t.replaced(ident, filter, token);
        model.put(key, token);
      }
      if (step % 997 == 0) {
        for (java.util.Map.Entry<List<Long>, Long> e : model.entrySet()) {
          long id = e.getKey().get(0);
          short f = (short) (long) e.getKey().get(1);
          assertEquals(e.getValue(), t.tokenOf(id, f), "knote " + e.getKey());
        }
      }
    }
    assertEquals(model.size(), t.knotes());
    assertEquals(model.size(), t.liveTokens(), "one live token per knote, none leaked");
  }
}
