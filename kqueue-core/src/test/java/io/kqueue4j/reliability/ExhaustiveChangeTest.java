package io.kqueue4j.reliability;

import static io.kqueue4j.KEvent.EVFILT_AIO;
import static io.kqueue4j.KEvent.EVFILT_LIO;
import static io.kqueue4j.KEvent.EVFILT_READ;
import static io.kqueue4j.KEvent.EVFILT_TIMER;
import static io.kqueue4j.KEvent.EVFILT_USER;
import static io.kqueue4j.KEvent.EVFILT_VNODE;
import static io.kqueue4j.KEvent.EVFILT_WRITE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.EV_DISABLE;
import static io.kqueue4j.KEvent.EV_DISPATCH;
import static io.kqueue4j.KEvent.EV_ENABLE;
import static io.kqueue4j.KEvent.EV_ERROR;
import static io.kqueue4j.KEvent.EV_FORCEONESHOT;
import static io.kqueue4j.KEvent.EV_KEEPUDATA;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static io.kqueue4j.KEvent.EV_RECEIPT;
import static io.kqueue4j.KEvent.EV_SYSFLAGS;
import static io.kqueue4j.KEvent.NOTE_FFCOPY;
import static io.kqueue4j.KEvent.NOTE_FFLAGSMASK;
import static io.kqueue4j.KEvent.NOTE_TRIGGER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.Descriptors;
import io.kqueue4j.kernel.EmulatedKQueue;
import io.kqueue4j.testing.DefinedErrnos;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every combination of a change's flags on every kind of filter kqueue-core has by itself, where
 * {@code BadInputFuzzTest} draws at random: the user filter, the descriptor filters on a kqueue's
 * descriptor and on closed ones, slots with no filter ({@code EVFILT_AIO}, {@code EVFILT_LIO},
 * {@code EVFILT_TIMER} without the filters module) and invalid ids. For each, every subset of the
 * five action flags with each delivery mode, {@code EV_RECEIPT} on and off, with and without an
 * existing knote (the {@code EV_ADD} that makes it is checked as a change too), and with valid and invalid {@code fflags}, {@code data} and flag bits (every
 * bit, the sign bit, bits no filter defines, the system flags the kernel strips).
 *
 * <p>Every call with room in its event list returns, never throws; it reports exactly the errno
 * the shared rules give ({@code EINVAL} for {@code EV_ENABLE|EV_DISABLE} and an invalid id, then
 * {@code EBADF} for a descriptor filter on a closed descriptor, {@code ENOENT} for a change
 * without {@code EV_ADD} to no knote, {@code ENXIO} for an empty slot, {@code EINVAL} for a
 * descriptor filter a kqueue does not support), as an {@code EV_ERROR} entry with or without
 * {@code EV_RECEIPT}, and a success only as a receipt or as the knote's own event. The queue stays
 * consistent and is empty after each combination is deleted.
 */
class ExhaustiveChangeTest {
  private static final Set<Integer> ERRNOS = DefinedErrnos.all();
  private static final int[] ACTIONS = {EV_ADD, EV_DELETE, EV_ENABLE, EV_DISABLE, EV_FORCEONESHOT};
  private static final int[] MODES = {0, EV_ONESHOT, EV_CLEAR, EV_DISPATCH};
  private static final short[] FILTERS = {
    EVFILT_USER, EVFILT_READ, EVFILT_WRITE, EVFILT_VNODE, EVFILT_AIO, EVFILT_LIO, EVFILT_TIMER,
    0, 1, -33, Short.MIN_VALUE
  };

  /** {@code fflags}, {@code data} and extra flag bits of one change. */
  private record Input(int fflags, long data, int extraFlags) {}

  private static final Input[] INPUTS = {
    new Input(0, 0, 0),
    new Input(NOTE_TRIGGER, 7, EV_KEEPUDATA),
    new Input(-1, -1, 0xFFFF_0000 | EV_SYSFLAGS), // every bit; beyond 16 bits and system flags
    new Input(NOTE_FFCOPY | NOTE_FFLAGSMASK, Long.MIN_VALUE, 0x0400 | 0x0800), // undefined bits
    new Input(0x0E00_0000, Long.MAX_VALUE, 0), // fflags bits EVFILT_USER does not define
  };

  @Test
  void every_flag_combination_reports_the_errno_the_rules_give() throws Exception {
    long calls = 0;
    try (EmulatedKQueue kq = EmulatedKQueue.open();
        EmulatedKQueue watched = EmulatedKQueue.open()) {
      long closedFd = closedDescriptor();
      for (short filter : FILTERS) {
        long valid = isFd(filter) ? watched.fd() : 7;
        for (long ident : new long[] {valid, closedFd, -1}) {
          for (int actions = 0; actions < 1 << ACTIONS.length; actions++) {
            for (int mode : MODES) {
              int flags = mode;
              for (int a = 0; a < ACTIONS.length; a++) {
                if ((actions & 1 << a) != 0) {
                  flags |= ACTIONS[a];
                }
              }
              for (Input input : INPUTS) {
                for (int receipt : new int[] {0, EV_RECEIPT}) {
                  for (boolean existing : new boolean[] {false, true}) {
                    calls += call(kq, filter, ident, flags | receipt, input, existing);
                  }
                }
              }
            }
          }
          assertEquals(0, kq.checkInvariants(), KEvent.filterName(filter) + " ident " + ident);
        }
      }
    }
    System.out.printf("[reliability] exhaustive changes: %,d calls%n", calls);
  }

  private static boolean isFd(short filter) {
    return filter == EVFILT_READ || filter == EVFILT_WRITE || filter == EVFILT_VNODE;
  }

  private static long closedDescriptor() {
    for (long fd = 1 << 30; ; fd++) {
      if (!Descriptors.isOpen(fd)) {
        return fd;
      }
    }
  }

  /** The errno the change must report, 0 for success; {@code exists} after a successful add. */
  private static int expected(short filter, long ident, int flags, boolean exists) {
    if ((flags & (EV_ENABLE | EV_DISABLE)) == (EV_ENABLE | EV_DISABLE)) {
      return Errno.EINVAL;
    }
    if (filter >= 0 || filter < -32) {
      return Errno.EINVAL;
    }
    if (isFd(filter) && !Descriptors.isOpen(ident)) {
      return Errno.EBADF;
    }
    if (exists) {
      return 0;
    }
    if ((flags & EV_ADD) == 0) {
      return Errno.ENOENT;
    }
    if (filter == EVFILT_USER || filter == EVFILT_READ) {
      return 0; // any ident; EVFILT_READ on the kqueue's descriptor
    }
    return isFd(filter) ? Errno.EINVAL : Errno.ENXIO; // a kqueue is readable only; empty slot
  }

  /**
   * The plain {@code EV_ADD|EV_RECEIPT} before a change to an existing knote, checked like any
   * change: it must succeed wherever the rules say (a valid filter and ident), and fail with their
   * errno elsewhere. Returns whether the knote now exists.
   */
  private static boolean preAdd(EmulatedKQueue kq, short filter, long ident)
      throws KQueueException {
    KEvent add = KEvent.of(ident, filter, EV_ADD | EV_RECEIPT, 0, 0, null);
    KEvent[] receipt = new KEvent[1];
    int n = kq.kevent(new KEvent[] {add}, 1, receipt, 1, Duration.ZERO);
    if (filter == 0) {
      assertEquals(0, n, add + ": a change with filter 0 is skipped");
      return false;
    }
    int errno = expected(filter, ident, EV_ADD | EV_RECEIPT, false);
    assertEquals(1, n, add + ": one receipt");
    assertEquals(EV_ERROR, receipt[0].flags(), add + ": " + receipt[0]);
    assertEquals(errno, receipt[0].data(), add + ": " + receipt[0]);
    return errno == 0;
  }

  /** One change, optionally after adding the knote, then its deletion; returns the calls made. */
  private static int call(EmulatedKQueue kq, short filter, long ident, int flags, Input input,
      boolean existing) throws KQueueException {
    int calls = 2;
    boolean exists = false;
    if (existing) {
      calls++;
      exists = preAdd(kq, filter, ident);
    }
    KEvent change = KEvent.of(ident, filter, flags | input.extraFlags(), input.fflags(),
        input.data(), "udata");
    String call = change + (existing ? " after EV_ADD" : "");
    KEvent[] out = new KEvent[1];
    int n;
    try {
      n = kq.kevent(new KEvent[] {change}, 1, out, 1, Duration.ZERO);
    } catch (KQueueException | RuntimeException e) {
      throw new AssertionError(call + ": threw although the event list had room: " + e, e);
    }
    int errno = expected(filter, ident, flags, exists);
    if (filter == 0) {
      assertEquals(0, n, call + ": a change with filter 0 is skipped");
    } else if ((flags & EV_RECEIPT) != 0 || errno != 0) {
      assertEquals(1, n, call);
      assertEquals(EV_ERROR, out[0].flags(), call + ": " + out[0]);
      assertTrue(out[0].data() == 0 || ERRNOS.contains((int) out[0].data()),
          call + ": undefined errno in " + out[0]);
      assertEquals(errno, out[0].data(), call + ": " + out[0]);
    } else if (n == 1) {
      KEvent ev = out[0];
      assertEquals(0, ev.flags() & (EV_ERROR | ~0xFFFF), call + ": " + ev);
      assertTrue(ev.ident() == ident && ev.filter() == filter, call + ": " + ev);
    } else {
      assertEquals(0, n, call);
    }
    kq.kevent(new KEvent[] {KEvent.of(ident, filter, EV_DELETE | EV_RECEIPT, 0, 0, null)}, 1,
        new KEvent[1], 1, Duration.ZERO);
    return calls;
  }
}
