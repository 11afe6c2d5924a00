package io.kqueue4j.reliability;

import static io.kqueue4j.KEvent.EVFILT_READ;
import static io.kqueue4j.KEvent.EVFILT_USER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.EV_ERROR;
import static io.kqueue4j.KEvent.EV_RECEIPT;
import static io.kqueue4j.KEvent.NOTE_TRIGGER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.Descriptors;
import io.kqueue4j.kernel.EmulatedKQueue;
import io.kqueue4j.testing.DefinedErrnos;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Random, mostly invalid {@code kevent} calls: idents of every size and sign, every filter id
 * (0, positive, each {@code EVFILT_*}, the free slots, beyond -32), all flag bits, random fflags,
 * data and udata, null entries, bad counts, bad timeouts, both call forms; plus {@code
 * FileDescriptors.close} of descriptors that are not open while a kqueue holds descriptor knotes.
 *
 * <p>Every call must return a count within the event list, with well-formed entries (every entry
 * with {@code EV_ERROR} set, alone or with other flags, carries one of {@link Errno}'s constants,
 * or 0 in a receipt), or throw {@link KQueueException} with one of them; nothing else may escape.
 * {@code ExhaustiveChangeTest} tries every flag combination where this draws at random. The queue
 * must stay consistent ({@link EmulatedKQueue#checkInvariants()} every 2,000 calls) and usable: a
 * trigger and scan round trip works at the end. {@code -Dkq.seed=<seed>} repeats a run.
 */
class BadInputFuzzTest {
  private static final Set<Integer> ERRNOS = DefinedErrnos.all();

  @Test
  void every_call_returns_or_fails_with_a_defined_errno() throws Exception {
    fuzz(30_000);
  }

  @Test
  @Tag("slow")
  void every_call_returns_or_fails_with_a_defined_errno_long_run() throws Exception {
    fuzz(1_000_000);
  }

  private static void fuzz(int iterations) throws Exception {
    long seed = Long.getLong("kq.seed", System.nanoTime());
    Random r = new Random(seed);
    EmulatedKQueue kq = EmulatedKQueue.open();
    EmulatedKQueue inner = EmulatedKQueue.open();
    long start = System.nanoTime();
    int[] outcomes = new int[3]; // returned, threw KQueueException, error entries
    try {
      // kq holds a descriptor knote, so descriptor closes reach its descriptor table.
      kq.kevent(new KEvent[] {KEvent.of(inner.fd(), EVFILT_READ, EV_ADD, 0, 0, null)}, null,
          Duration.ZERO);
      Fuzzer fuzzer = new Fuzzer(r, inner.fd());
      for (int i = 0; i < iterations; i++) {
        String call = null;
        try {
          if (r.nextInt(50) == 0) {
            int fd = fuzzer.closedDescriptor();
            call = "FileDescriptors.close(" + fd + ")";
            try {
              FileDescriptors.close(fd);
              throw new AssertionError(call + " succeeded on a descriptor that is not open");
            } catch (KQueueException e) {
              assertEquals(Errno.EBADF, e.errno(), call);
            }
            continue;
          }
          if (r.nextInt(4) == 0) {
            call = fuzzer.bufferCall(kq, outcomes);
          } else {
            call = fuzzer.arrayCall(kq, outcomes);
          }
        } catch (KQueueException e) {
          outcomes[1]++;
          assertTrue(ERRNOS.contains(e.errno()),
              "seed " + seed + ": " + fuzzer.last + " failed with an undefined errno " + e);
        } catch (Throwable e) {
          throw new AssertionError("seed " + seed + ", call " + i + ": "
              + (call != null ? call : fuzzer.last) + " threw " + e, e);
        }
        if (i % 2000 == 0) {
          kq.checkInvariants();
        }
      }
      kq.checkInvariants();
      roundTrip(kq);
      kq.checkInvariants();
      System.out.printf("[reliability] fuzz (seed %d): %,d calls in %.1f s: %,d returned (%,d error"
          + " entries), %,d threw KQueueException; %d knotes left%n", seed, iterations,
          (System.nanoTime() - start) / 1e9, outcomes[0], outcomes[2], outcomes[1],
          kq.checkInvariants());
    } finally {
      kq.close();
      inner.close();
    }
  }

  /** A trigger and a scan still work: a fresh knote's event comes back. */
  private static void roundTrip(EmulatedKQueue kq) throws KQueueException {
    long ident = 0x5eed_5eedL;
    KEvent[] receipts = new KEvent[3];
    assertEquals(3, kq.kevent(new KEvent[] {
      KEvent.of(ident, EVFILT_USER, EV_DELETE | EV_RECEIPT, 0, 0, null),
      KEvent.of(ident, EVFILT_USER, EV_ADD | EV_CLEAR | EV_RECEIPT, 0, 0, "fresh"),
      KEvent.of(ident, EVFILT_USER, EV_RECEIPT, NOTE_TRIGGER, 7, "fresh")}, receipts,
        Duration.ZERO));
    assertEquals(0, receipts[1].data(), String.valueOf(receipts[1]));
    assertEquals(0, receipts[2].data(), String.valueOf(receipts[2]));
    KEvent[] out = new KEvent[4096];
    int n = kq.kevent(null, out, Duration.ZERO);
    assertTrue(Arrays.stream(out, 0, n).anyMatch(e -> e.ident() == ident && e.data() == 7
        && "fresh".equals(e.udata())), "the round trip event is missing");
  }

  /** Makes random calls and checks what they return. */
  private static final class Fuzzer {
    private static final short[] FILTERS = {
      0, 1, 7, Short.MAX_VALUE, Short.MIN_VALUE, -33, -99, -20, -25, -31, -32
    };
    private final Random r;
    private final int innerFd;
    String last = "";

    Fuzzer(Random r, int innerFd) {
      this.r = r;
      this.innerFd = innerFd;
    }

    long ident() {
      return switch (r.nextInt(10)) {
        case 0 -> Long.MIN_VALUE;
        case 1 -> Long.MAX_VALUE;
        case 2 -> -1 - r.nextInt(1000);
        case 3 -> r.nextLong();
        case 4 -> Integer.MAX_VALUE + 1L + r.nextInt(10);
        case 5 -> innerFd;
        default -> r.nextInt(8);
      };
    }

    short filter() {
      int k = r.nextInt(10);
      if (k < 4) {
        return (short) -(1 + r.nextInt(15)); // every EVFILT_* of FreeBSD
      } else if (k < 6) {
        return EVFILT_USER;
      } else if (k < 8) {
        return FILTERS[r.nextInt(FILTERS.length)];
      }
      return (short) r.nextInt();
    }

    int flags() {
      return switch (r.nextInt(4)) {
        case 0 -> r.nextInt(); // beyond 16 bits too
        case 1 -> r.nextInt(0x10000);
        default -> 1 << r.nextInt(16) | (r.nextBoolean() ? 1 << r.nextInt(16) : 0);
      };
    }

    long data() {
      return switch (r.nextInt(4)) {
        case 0 -> r.nextLong();
        case 1 -> Long.MIN_VALUE;
        default -> r.nextInt(5) - 1;
      };
    }

    KEvent change() {
      return KEvent.of(ident(), filter(), flags(), r.nextInt(), data(),
          r.nextBoolean() ? null : (Object) r.nextInt(4));
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

    /** A timeout that cannot block for long: null only when no scan can wait. */
    Duration timeout(boolean mayWait) {
      return switch (r.nextInt(20)) {
        case 0 -> Duration.ofMillis(-1);
        case 1 -> Duration.ofSeconds(Long.MAX_VALUE);
        case 2 -> Duration.ofSeconds(1L << 31);
        case 3 -> Duration.ofNanos(-1);
        case 4 -> mayWait ? Duration.ofNanos(1 + r.nextInt(1000)) : null;
        case 5 -> mayWait && r.nextInt(20) == 0 ? Duration.ofMillis(1) : Duration.ZERO;
        default -> Duration.ZERO;
      };
    }

    int closedDescriptor() {
      while (true) {
        int fd = switch (r.nextInt(3)) {
          case 0 -> -1 - r.nextInt(1000);
          case 1 -> Integer.MIN_VALUE;
          default -> (1 << 30) + r.nextInt(1 << 20);
        };
        if (!Descriptors.isOpen(fd)) {
          return fd;
        }
      }
    }

    String arrayCall(EmulatedKQueue kq, int[] outcomes) throws KQueueException {
      KEvent[] changes = r.nextInt(10) == 0 ? null : new KEvent[r.nextInt(6)];
      if (changes != null) {
        for (int i = 0; i < changes.length; i++) {
          changes[i] = r.nextInt(12) == 0 ? null : change();
        }
      }
      KEvent[] events = r.nextInt(8) == 0 ? null : new KEvent[r.nextInt(6)];
      int nchanges = count(changes == null ? 0 : changes.length);
      int nevents = count(events == null ? 0 : events.length);
      Duration timeout = timeout(nevents > 0);
      last = "kevent(" + Arrays.toString(changes) + ", " + nchanges + ", "
          + (events == null ? "null" : "KEvent[" + events.length + "]") + ", " + nevents + ", "
          + timeout + ")";
      int n = kq.kevent(changes, nchanges, events, nevents, timeout);
      check(n, nevents, events == null ? null : i -> events[i], outcomes);
      return last;
    }

    String bufferCall(EmulatedKQueue kq, int[] outcomes) throws KQueueException {
      KEventBuffer changes = r.nextInt(8) == 0 ? null : new KEventBuffer(r.nextInt(6));
      if (changes != null) {
        for (int i = 0; i < changes.capacity(); i++) {
          KEvent c = change();
          changes.add(c.ident(), c.filter(), c.flags(), c.fflags(), c.data(), c.udata());
        }
      }
      KEventBuffer events = r.nextInt(8) == 0 ? null : new KEventBuffer(r.nextInt(6));
      boolean mayWait = events != null && events.capacity() > 0;
      long[] timeouts = {0, 0, 1, 1000, mayWait ? 0 : -1, mayWait ? 0 : Long.MIN_VALUE};
      long timeout = timeouts[r.nextInt(timeouts.length)];
      last = "kevent(buffer of " + (changes == null ? "null" : changes.size()) + ", buffer of "
          + (events == null ? "null" : events.capacity()) + ", " + timeout + ")";
      int n = kq.kevent(changes, events, timeout);
      if (events != null) {
        assertEquals(n, events.size(), last + ": size of the event buffer");
      }
      check(n, events == null ? 0 : events.capacity(), events == null ? null : events::get,
          outcomes);
      return last;
    }

    private void check(int n, int nevents, java.util.function.IntFunction<KEvent> entry,
        int[] outcomes) {
      outcomes[0]++;
      assertTrue(n >= 0 && n <= Math.max(0, nevents), last + " returned " + n);
      for (int i = 0; i < n; i++) {
        KEvent ev = entry.apply(i);
        assertTrue(ev != null, last + ": entry " + i + " is null");
        assertTrue((ev.flags() & ~0xFFFF) == 0, last + ": flags beyond 16 bits: " + ev);
        if ((ev.flags() & EV_ERROR) != 0) {
          // Whatever flags come with EV_ERROR (a delivered event whose filter failed keeps its
          // own), data is a defined errno; 0 only in a receipt of a change that succeeded.
          outcomes[2]++;
          boolean receipt = ev.flags() == EV_ERROR && ev.data() == 0;
          assertTrue(receipt || ev.data() == (int) ev.data() && ERRNOS.contains((int) ev.data()),
              last + ": error entry with an undefined errno: " + ev);
        }
      }
    }
  }
}
