package io.kqueue4j.bsd.reliability;

import static io.kqueue4j.KEvent.EVFILT_FSEVENT;
import static io.kqueue4j.KEvent.EVFILT_TIMER;
import static io.kqueue4j.KEvent.EVFILT_USER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.EV_DISABLE;
import static io.kqueue4j.KEvent.EV_DISPATCH;
import static io.kqueue4j.KEvent.EV_ENABLE;
import static io.kqueue4j.KEvent.EV_EOF;
import static io.kqueue4j.KEvent.EV_ERROR;
import static io.kqueue4j.KEvent.EV_FORCEONESHOT;
import static io.kqueue4j.KEvent.EV_KEEPUDATA;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static io.kqueue4j.KEvent.EV_RECEIPT;
import static io.kqueue4j.KEvent.NOTE_ABSTIME;
import static io.kqueue4j.KEvent.NOTE_MSECONDS;
import static io.kqueue4j.KEvent.NOTE_NSECONDS;
import static io.kqueue4j.KEvent.NOTE_SECONDS;
import static io.kqueue4j.KEvent.NOTE_TRIGGER;
import static io.kqueue4j.KEvent.NOTE_USECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueueException;
import io.kqueue4j.bsd.internal.FakeAbi;
import io.kqueue4j.bsd.internal.FakeKernel;
import io.kqueue4j.bsd.internal.NativeKQueue;
import io.kqueue4j.testing.DefinedErrnos;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Random, mostly invalid changelists through {@link NativeKQueue} over a {@link FakeKernel} of
 * every ABI: idents of every size and sign (the wake-up knote's, the bad-descriptor stand-in, the
 * {@code EVFILT_FSEVENT} bridge's range), every filter id (each {@code EVFILT_*}, ids the OS lacks,
 * 0, positive, out of range), every combination of the action flags with each delivery mode, with
 * and without {@code EV_RECEIPT}, undefined and system flag bits, timer units the OS may lack,
 * random fflags, data and udata; null entries, bad counts, long changelists and event lists beyond
 * one scan, the same array or buffer as changelist and eventlist, timeouts from negative to 2^31
 * seconds; both call forms.
 *
 * <p>Every call must return a count within its event list or throw {@link KQueueException} with
 * one of {@link Errno}'s constants, nothing else may escape. The entries are either answers or
 * events. An answer is an {@code EV_ERROR} entry for a submitted change, in order, with its ident,
 * filter and udata, and a defined errno, or 0 for a change that asked for {@code EV_RECEIPT}
 * (which no answer skips). Events carry a udata the fuzzer gave, are never the wake-up knote's,
 * and carry {@code EV_ERROR} only as a timer whose re-add failed. The fake kernel must see nothing a real one would refuse or misread
 * ({@link FakeKernel#violations()}: flags the OS does not define, non-zero {@code ext[]} or
 * padding, a malformed timespec, bad counts). After the run the queue still works (a fresh knote's
 * trigger comes back), and closing it releases every udata and the kernel's descriptor.
 *
 * <p>A long timeout or a wait forever is only passed while the fuzzer's own knote is pending, so
 * that the kernel answers at once. {@code -Dkq.seed=<seed>} repeats a run.
 */
class NativeChangelistFuzzTest {
  private static final Set<Integer> ERRNOS = DefinedErrnos.all();
  /** The fuzzer's level-triggered knote, enabled around calls that could otherwise wait long. */
  private static final long READY = 0x5EED_0000_0000_0001L;
  private static final long ROUND_TRIP = 0x5EED_0000_0000_0002L;
  /** {@code FsEventBridge}'s ident range: an {@code EVFILT_USER} change there is refused. */
  private static final long BRIDGED = 0xFFFE_0000_0000_0000L;
  private static final Object READY_UDATA = "ready";
  private static final Object[] UDATA = {"u0", "u1", 42L, new Object()};
  private static final short[] ODD_FILTERS = {
    0, 1, 7, 8, 9, Short.MAX_VALUE, Short.MIN_VALUE, -16, -31, -33, -99
  };
  /** One action, or an action the OS may lack, each a call a program could make. */
  private static final int[] ACTIONS = {
    EV_ADD, EV_DELETE, EV_ENABLE, EV_DISABLE, 0, EV_ADD | EV_DISABLE, EV_ADD | EV_ENABLE,
    EV_FORCEONESHOT, EV_KEEPUDATA, EV_ADD | EV_KEEPUDATA, EV_ENABLE | EV_DISABLE,
    EV_ADD | EV_DELETE
  };
  private static final int[] ACTION_BITS = {
    EV_ADD, EV_DELETE, EV_ENABLE, EV_DISABLE, EV_FORCEONESHOT, EV_KEEPUDATA
  };
  private static final int[] MODES = {
    0, EV_ONESHOT, EV_CLEAR, EV_DISPATCH, EV_ONESHOT | EV_CLEAR, EV_ONESHOT | EV_DISPATCH,
    EV_CLEAR | EV_DISPATCH
  };
  private static final int[] TIMER_BITS = {
    NOTE_SECONDS, NOTE_MSECONDS, NOTE_USECONDS, NOTE_NSECONDS, NOTE_ABSTIME, 0x20, 1 << 31
  };

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  @Timeout(120)
  void every_call_returns_or_fails_with_a_defined_errno(FakeAbi abi) throws Exception {
    fuzz(abi, 1, 2_500);
  }

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  @Tag("slow")
  @Timeout(1800)
  void every_call_returns_or_fails_with_a_defined_errno_long_run(FakeAbi abi) throws Exception {
    fuzz(abi, 10, 25_000);
  }

  /** {@code rounds} queues, each on a kernel of its own, {@code calls} random calls each. */
  private static void fuzz(FakeAbi abi, int rounds, int calls) throws Exception {
    long seed = Long.getLong("kq.seed", System.nanoTime());
    Random r = new Random(seed);
    long start = System.nanoTime();
    int[] outcomes = new int[4]; // returned, threw KQueueException, answers, events
    for (int round = 0; round < rounds; round++) {
      FakeKernel kernel = new FakeKernel(abi);
      try {
        NativeKQueue kq = NativeKQueue.open(kernel, abi.layout());
        Fuzzer fuzzer = new Fuzzer(r, kq, kernel, "seed " + seed + ", " + abi + ", round " + round);
        fuzzer.apply(KEvent.of(READY, EVFILT_USER, EV_ADD | EV_DISABLE, NOTE_TRIGGER, 0,
            READY_UDATA));
        for (int i = 0; i < calls; i++) {
          fuzzer.call(i, outcomes);
        }
        roundTrip(kq);
        assertEquals(List.of(), kernel.violations(), fuzzer.where + ": the round trip");
        kq.close();
        assertEquals(0, kq.liveTokens(), fuzzer.where + ": close releases every udata");
        assertEquals(0, kernel.openQueues(), fuzzer.where + ": close closes the descriptor");
      } finally {
        kernel.shutdown();
      }
    }
    System.out.printf("[reliability] native fuzz %s (seed %d): %,d calls in %.1f s: %,d returned"
        + " (%,d answers, %,d events), %,d threw KQueueException%n", abi, seed, rounds * calls,
        (System.nanoTime() - start) / 1e9, outcomes[0], outcomes[2], outcomes[3], outcomes[1]);
  }

  /** A fresh knote is added, triggered and delivered with its udata: the queue still works. */
  private static void roundTrip(NativeKQueue kq) throws KQueueException {
    KEvent[] receipts = new KEvent[3];
    assertEquals(3, kq.kevent(new KEvent[] {
      KEvent.of(ROUND_TRIP, EVFILT_USER, EV_DELETE | EV_RECEIPT, 0, 0, null),
      KEvent.of(ROUND_TRIP, EVFILT_USER, EV_ADD | EV_CLEAR | EV_RECEIPT, 0, 0, "fresh"),
      KEvent.of(ROUND_TRIP, EVFILT_USER, EV_RECEIPT, NOTE_TRIGGER, 7, "fresh")}, receipts,
        Duration.ZERO));
    assertEquals(Errno.ENOENT, receipts[0].data(), String.valueOf(receipts[0]));
    assertEquals(0, receipts[1].data(), String.valueOf(receipts[1]));
    assertEquals(0, receipts[2].data(), String.valueOf(receipts[2]));
    KEvent[] out = new KEvent[8192];
    boolean found = false;
    for (int n = kq.kevent(null, out, Duration.ZERO); n > 0 && !found;
        n = kq.kevent(null, out, Duration.ZERO)) {
      found = Arrays.stream(out, 0, n).anyMatch(e -> e.ident() == ROUND_TRIP
          && e.filter() == EVFILT_USER && "fresh".equals(e.udata()));
    }
    assertTrue(found, "the round trip's event is missing");
  }

  /** Makes random calls on one queue and checks what they return. */
  private static final class Fuzzer {
    private final Random r;
    private final NativeKQueue kq;
    private final FakeKernel kernel;
    final String where;
    private String last = "";

    Fuzzer(Random r, NativeKQueue kq, FakeKernel kernel, String where) {
      this.r = r;
      this.kq = kq;
      this.kernel = kernel;
      this.where = where;
    }

    /** One call, checked; an escape or a kernel violation fails the test with the call. */
    void call(int i, int[] outcomes) throws KQueueException {
      try {
        if (r.nextInt(4) == 0) {
          bufferCall(outcomes);
        } else {
          arrayCall(outcomes);
        }
      } catch (KQueueException e) {
        outcomes[1]++;
        assertTrue(ERRNOS.contains(e.errno()),
            where + ", call " + i + ": " + last + " failed with an undefined errno " + e);
      } catch (Throwable e) {
        throw new AssertionError(where + ", call " + i + ": " + last + " threw " + e, e);
      }
      assertEquals(List.of(), kernel.violations(), where + ", call " + i + ": " + last);
    }

    /** A change that must succeed, without room for events. */
    void apply(KEvent change) throws KQueueException {
      kq.kevent(new KEvent[] {change}, null, Duration.ZERO);
    }

    long ident() {
      return switch (r.nextInt(14)) {
        case 0 -> r.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE;
        case 1 -> NativeKQueue.WAKE_IDENT;
        case 2 -> -2 - r.nextInt(8); // -2 stands in for a bad descriptor
        case 3 -> r.nextLong();
        case 4 -> Integer.MAX_VALUE + (long) r.nextInt(3);
        case 5 -> BRIDGED | r.nextInt(4);
        default -> r.nextInt(8);
      };
    }

    short filter() {
      int k = r.nextInt(12);
      if (k < 5) {
        return (short) -(1 + r.nextInt(15)); // every EVFILT_* of FreeBSD
      } else if (k < 8) {
        return EVFILT_USER;
      } else if (k == 8) {
        return EVFILT_FSEVENT;
      } else if (k < 11) {
        return ODD_FILTERS[r.nextInt(ODD_FILTERS.length)];
      }
      return (short) r.nextInt();
    }

    int flags() {
      int k = r.nextInt(10);
      if (k == 0) {
        return r.nextInt(); // beyond 16 bits too
      } else if (k == 1) {
        return r.nextInt(0x10000); // EV_SYSFLAGS, EV_ERROR, EV_EOF and undefined bits
      }
      int flags = 0;
      if (k < 6) {
        flags = ACTIONS[r.nextInt(ACTIONS.length)];
      } else {
        int subset = r.nextInt(1 << ACTION_BITS.length); // every action combination
        for (int b = 0; b < ACTION_BITS.length; b++) {
          if ((subset & 1 << b) != 0) {
            flags |= ACTION_BITS[b];
          }
        }
      }
      flags |= MODES[r.nextInt(MODES.length)];
      if (r.nextBoolean()) {
        flags |= EV_RECEIPT;
      }
      if (r.nextInt(20) == 0) {
        flags |= r.nextBoolean() ? EV_ERROR | EV_EOF : 0x1000 << r.nextInt(4);
      }
      return flags;
    }

    int fflags() {
      switch (r.nextInt(6)) {
        case 0:
          return r.nextInt();
        case 1:
          return 0;
        case 2: // EVFILT_USER: trigger, any control, user bits
          return (r.nextBoolean() ? NOTE_TRIGGER : 0) | r.nextInt(4) << 30 | r.nextInt(0x1000000);
        case 3: { // EVFILT_TIMER: units alone, two at once, absolute, undefined bits
          int f = 0;
          for (int b : TIMER_BITS) {
            if (r.nextInt(4) == 0) {
              f |= b;
            }
          }
          return f;
        }
        case 4:
          return 1 << r.nextInt(32);
        default:
          return r.nextInt(0x800); // the low bits of vnode, proc and read filters
      }
    }

    long data() {
      return switch (r.nextInt(6)) {
        case 0 -> r.nextLong();
        case 1 -> r.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE;
        case 2 -> 1000 + r.nextInt(100_000);
        default -> r.nextInt(5) - 1;
      };
    }

    KEvent change() {
      return KEvent.of(ident(), filter(), flags(), fflags(), data(),
          r.nextBoolean() ? null : UDATA[r.nextInt(UDATA.length)]);
    }

    int length() {
      return r.nextInt(40) == 0 ? 17 + r.nextInt(300) : r.nextInt(6);
    }

    int eventLength() {
      return r.nextInt(200) == 0 ? 4097 + r.nextInt(100) : r.nextInt(6);
    }

    int count(int length) {
      return switch (r.nextInt(24)) {
        case 0 -> -1 - r.nextInt(3);
        case 1 -> length + 1 + r.nextInt(3);
        case 2 -> r.nextInt(length + 1);
        case 3 -> Integer.MIN_VALUE;
        default -> length;
      };
    }

    /** From negative to beyond 2^31 s, or null; before a long one the caller arms READY. */
    Duration timeout() {
      return switch (r.nextInt(24)) {
        case 0 -> Duration.ofMillis(-1);
        case 1 -> Duration.ofSeconds(Long.MAX_VALUE);
        case 2 -> Duration.ofSeconds(1L << 31);
        case 3 -> Duration.ofNanos(-1);
        case 4 -> Duration.ofNanos(1 + r.nextInt(1000));
        case 5 -> null;
        case 6 -> Duration.ofSeconds(Integer.MAX_VALUE, 999_999_999);
        case 7 -> Duration.ofMillis(1 + r.nextInt(1000));
        default -> Duration.ZERO;
      };
    }

    void arrayCall(int[] outcomes) throws KQueueException {
      KEvent[] changes = r.nextInt(10) == 0 ? null : new KEvent[length()];
      if (changes != null) {
        for (int i = 0; i < changes.length; i++) {
          changes[i] = r.nextInt(40) == 0 ? null : change();
        }
      }
      boolean same = changes != null && r.nextInt(20) == 0; // kevent(kq, ev, n, ev, n, ..) in C
      KEvent[] events = same ? changes : r.nextInt(8) == 0 ? null : new KEvent[eventLength()];
      int nchanges = count(changes == null ? 0 : changes.length);
      int nevents = count(events == null ? 0 : events.length);
      Duration timeout = timeout();
      List<KEvent> submitted = submitted(changes == null ? null : i -> changes[i],
          Math.min(nchanges, changes == null ? 0 : changes.length));
      last = "kevent(" + brief(Arrays.toString(changes)) + ", " + nchanges + ", "
          + (same ? "the changelist" : events == null ? "null" : "KEvent[" + events.length + "]")
          + ", " + nevents + ", " + timeout + ")";
      boolean arm = nevents > 0 && (timeout == null || timeout.compareTo(Duration.ofMillis(1)) > 0);
      int n;
      if (arm) {
        apply(KEvent.of(READY, EVFILT_USER, EV_ENABLE, 0, 0, READY_UDATA));
      }
      try {
        n = kq.kevent(changes, nchanges, events, nevents, timeout);
      } finally {
        if (arm) {
          apply(KEvent.of(READY, EVFILT_USER, EV_DISABLE, 0, 0, READY_UDATA));
        }
      }
      check(n, nevents, events == null ? null : i -> events[i], submitted, outcomes);
    }

    void bufferCall(int[] outcomes) throws KQueueException {
      KEventBuffer changes = r.nextInt(8) == 0 ? null : new KEventBuffer(length());
      if (changes != null) {
        for (int i = 0; i < changes.capacity(); i++) {
          KEvent c = change();
          changes.add(c.ident(), c.filter(), c.flags(), c.fflags(), c.data(), c.udata());
        }
      }
      boolean same = changes != null && r.nextInt(20) == 0;
      KEventBuffer events =
          same ? changes : r.nextInt(8) == 0 ? null : new KEventBuffer(eventLength());
      long[] timeouts = {0, 0, 0, 1, 1000, -1, Long.MIN_VALUE, Long.MAX_VALUE,
        (1L << 31) * 1_000_000_000L, 1_000_000_000L};
      long timeout = timeouts[r.nextInt(timeouts.length)];
      List<KEvent> submitted =
          submitted(changes == null ? null : changes::get, changes == null ? 0 : changes.size());
      last = "kevent(" + brief(submitted.toString()) + " in a buffer, "
          + (same ? "the same buffer" : events == null ? "null" : "buffer of " + events.capacity())
          + ", " + timeout + ")";
      int capacity = events == null ? 0 : events.capacity();
      boolean arm = capacity > 0 && (timeout < 0 || timeout > 1_000_000);
      int n;
      if (arm) {
        apply(KEvent.of(READY, EVFILT_USER, EV_ENABLE, 0, 0, READY_UDATA));
      }
      try {
        n = kq.kevent(changes, events, timeout);
      } finally {
        if (arm) {
          apply(KEvent.of(READY, EVFILT_USER, EV_DISABLE, 0, 0, READY_UDATA));
        }
      }
      if (events != null) {
        assertEquals(n, events.size(), last + ": size of the event buffer");
      }
      check(n, capacity, events == null ? null : events::get, submitted, outcomes);
    }

    /** A changelist's text, cut short for a message. */
    private static String brief(String changes) {
      return changes.length() <= 4000 ? changes : changes.substring(0, 4000) + "...";
    }

    /** The changes the kernel is asked to apply, in order: non-null, filter not 0. */
    private static List<KEvent> submitted(IntFunction<KEvent> change, int nchanges) {
      List<KEvent> out = new ArrayList<>();
      for (int i = 0; change != null && i < nchanges; i++) {
        KEvent c = change.apply(i);
        if (c == null) {
          break; // the call fails with EFAULT
        }
        if (c.filter() != 0) {
          out.add(c);
        }
      }
      return out;
    }

    /** Checks the entries: all answers, each for a submitted change in order, or all events. */
    private void check(int n, int nevents, IntFunction<KEvent> entry, List<KEvent> submitted,
        int[] outcomes) {
      outcomes[0]++;
      assertTrue(n >= 0 && n <= Math.max(0, nevents), last + " returned " + n);
      List<KEvent> entries = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        KEvent ev = entry.apply(i);
        assertTrue(ev != null, last + ": entry " + i + " is null");
        assertTrue((ev.flags() & ~0xFFFF) == 0, last + ": flags beyond 16 bits: " + ev);
        entries.add(ev);
      }
      boolean answers = n > 0 && entries.stream().allMatch(ev -> (ev.flags() & EV_ERROR) != 0)
          && answer(entries, 0, submitted, 0, new HashSet<>());
      for (KEvent ev : entries) {
        if (answers) {
          outcomes[2]++;
          assertTrue(ev.data() == 0 || ERRNOS.contains((int) ev.data()),
              last + ": an answer with an undefined errno: " + ev);
          continue;
        }
        outcomes[3]++;
        if ((ev.flags() & EV_ERROR) != 0) {
          // a timer whose re-add failed; its data is the errno, or the count after
          // EV_FORCEONESHOT (TimerFilter.touch)
          assertTrue(ev.filter() == EVFILT_TIMER
                  && (ev.data() == 0 || ERRNOS.contains((int) ev.data())),
              last + ": an EV_ERROR entry that answers no change, in order: " + entries);
        }
        assertTrue(ev.ident() != NativeKQueue.WAKE_IDENT || ev.filter() != EVFILT_USER,
            last + ": the wake-up knote's event was returned: " + ev);
        Object u = ev.udata();
        assertTrue(u == null || u == READY_UDATA || Arrays.asList(UDATA).contains(u),
            last + ": an event with a udata nobody gave: " + ev);
      }
    }

    /**
     * Whether entries {@code j} on answer submitted changes from {@code c} on, in order. A change
     * with {@code EV_RECEIPT} is always answered and one without only when it fails (data not 0),
     * so no answer skips a change with {@code EV_RECEIPT}. {@code dead} holds the (j, c) known not
     * to work.
     */
    private static boolean answer(List<KEvent> entries, int j, List<KEvent> submitted, int c,
        Set<Long> dead) {
      if (j == entries.size()) {
        return true;
      }
      long state = (long) j << 32 | c;
      if (dead.contains(state)) {
        return false;
      }
      KEvent ev = entries.get(j);
      for (int x = c; x < submitted.size(); x++) {
        KEvent change = submitted.get(x);
        boolean receipt = (change.flags() & EV_RECEIPT) != 0;
        if (names(ev, change) && (receipt || ev.data() != 0)
            && answer(entries, j + 1, submitted, x + 1, dead)) {
          return true;
        }
        if (receipt) {
          break;
        }
      }
      dead.add(state);
      return false;
    }

    /** Whether an error entry names this change: its ident, filter and the same udata. */
    private static boolean names(KEvent ev, KEvent change) {
      return ev.ident() == change.ident() && ev.filter() == change.filter()
          && ev.udata() == change.udata();
    }
  }
}
