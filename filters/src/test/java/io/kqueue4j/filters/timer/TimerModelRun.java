package io.kqueue4j.filters.timer;

import static io.kqueue4j.KEvent.EVFILT_TIMER;
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
import static io.kqueue4j.KEvent.NOTE_ABSTIME;
import static io.kqueue4j.KEvent.NOTE_MSECONDS;
import static io.kqueue4j.KEvent.NOTE_NSECONDS;
import static io.kqueue4j.KEvent.NOTE_SECONDS;
import static io.kqueue4j.KEvent.NOTE_USECONDS;

import io.kqueue4j.KEvent;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.EmulatedKQueue;
import io.kqueue4j.kernel.Filters;
import io.kqueue4j.testing.Shrink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Drives the emulated kqueue with an {@code EVFILT_TIMER} filter on a {@link ManualClock} and a
 * {@link TimerModel} with the same seeded random steps ({@code kevent} calls, clock advances,
 * wall-clock steps) and compares them after every step: a call's return value or errno and every
 * entry of its event list, an advance's number of expired timers, and after every step the knote
 * and timer counts, the scheduled timers and the delay to the next deadline. On a difference the
 * sequence is shrunk ({@link Shrink}) and reported with its seed.
 */
final class TimerModelRun {
  private static final Object[] UDATA = {null, "u1", "u2"};
  private static final long MS = 1_000_000L;
  private static final long[] ADVANCES = {
    0, 1, 999, 1_000, 500_000, MS - 1, MS, MS + 1, 2 * MS, 10 * MS, 100 * MS, 999 * MS, 1000 * MS,
    1500 * MS, 3000 * MS
  };

  /** Steps, expirations and events of this instance's runs, for the report. */
  long steps;
  long expirations;
  long events;
  long oneshots;
  long errorEntries;

  /** One step of a sequence. */
  sealed interface Step permits Call, Advance, WallStep {}

  /** {@code kevent(changes, eventlist of capacity, ZERO)}. */
  record Call(KEvent[] changes, int capacity) implements Step {
    @Override
    public String toString() {
      StringBuilder s = new StringBuilder("kevent([");
      for (int i = 0; i < changes.length; i++) {
        KEvent c = changes[i];
        s.append(i > 0 ? ", " : "").append(c.ident()).append(' ')
            .append(KEvent.flagNames(c.flags())).append(" 0x")
            .append(Integer.toHexString(c.fflags())).append(' ').append(c.data()).append(' ')
            .append(c.udata());
      }
      return s.append("] out=").append(capacity).append(')').toString();
    }
  }

  /** Both clocks move forward; then the service expires what is due. */
  record Advance(long nanos) implements Step {}

  /** The wall clock alone moves. */
  record WallStep(long nanos) implements Step {}

  /** A difference between kernel and model at step {@code step}. */
  static final class Mismatch extends AssertionError {
    private static final long serialVersionUID = 1L;
    final int step;

    Mismatch(int step, String message) {
      super(message);
      this.step = step;
    }
  }

  // ------------------------------------------------------------------ generation

  /** A random sequence of {@code length} steps; absolute deadlines are near the wall clock. */
  static List<Step> generate(SplittableRandom r, int length) {
    List<Step> steps = new ArrayList<>(length);
    long wall = ManualClock.DEFAULT_WALL_START;
    for (int i = 0; i < length; i++) {
      int kind = r.nextInt(100);
      if (kind < 55) {
        int n = pick(r, 35, 45, 12, 8);
        KEvent[] changes = new KEvent[n];
        for (int j = 0; j < n; j++) {
          changes[j] = change(r, wall);
        }
        steps.add(new Call(changes, r.nextInt(15) == 0 ? 0 : 4 + r.nextInt(4)));
      } else if (kind < 96) {
        long by = r.nextInt(4) == 0 ? r.nextLong(2000 * MS) : ADVANCES[r.nextInt(ADVANCES.length)];
        wall += by;
        steps.add(new Advance(by));
      } else {
        long by = (r.nextBoolean() ? 1 : -1) * (r.nextBoolean() ? MS : 10_000 * MS);
        wall += by;
        steps.add(new WallStep(by));
      }
    }
    return steps;
  }

  /** An index chosen with the given weights. */
  private static int pick(SplittableRandom r, int... weights) {
    int x = r.nextInt(Arrays.stream(weights).sum());
    for (int i = 0; ; i++) {
      if (x < weights[i]) {
        return i;
      }
      x -= weights[i];
    }
  }

  private static final int[] ACTIONS = {
    EV_ADD, 0, EV_DELETE, EV_ENABLE, EV_DISABLE, EV_FORCEONESHOT, EV_ADD | EV_FORCEONESHOT,
    EV_ADD | EV_DELETE, EV_ENABLE | EV_DISABLE
  };
  private static final int[] UNITS = {0, NOTE_SECONDS, NOTE_MSECONDS, NOTE_USECONDS, NOTE_NSECONDS};

  private static KEvent change(SplittableRandom r, long wall) {
    int flags = ACTIONS[pick(r, 40, 5, 8, 10, 10, 5, 2, 1, 1)];
    boolean add = (flags & EV_ADD) != 0;
    flags |= r.nextInt(add ? 4 : 12) == 0 ? EV_ONESHOT : 0;
    flags |= add && r.nextInt(5) == 0 ? EV_CLEAR : 0;
    flags |= r.nextInt(add ? 5 : 12) == 0 ? EV_DISPATCH : 0;
    flags |= add && r.nextInt(8) == 0 ? EV_DISABLE : 0;
    flags |= r.nextInt(8) == 0 ? EV_RECEIPT : 0;
    flags |= r.nextInt(8) == 0 ? EV_KEEPUDATA : 0;
    int unit = UNITS[pick(r, 3, 2, 3, 2, 2)];
    boolean absolute = r.nextInt(6) == 0;
    int fflags = unit | (absolute ? NOTE_ABSTIME : 0);
    long data;
    if (absolute) {
      long[] offsets = {-2000 * MS, -1, 0, 1, MS, 500 * MS, 1000 * MS, 3000 * MS};
      data = (wall + offsets[r.nextInt(offsets.length)]) / unitNanos(unit);
    } else {
      data = period(r, unit);
    }
    if (r.nextInt(40) == 0) {
      fflags = r.nextBoolean() ? fflags | 0x40 : NOTE_SECONDS | NOTE_USECONDS;
    }
    if (r.nextInt(40) == 0) {
      data = r.nextInt(3) == 0 ? Long.MAX_VALUE / 7 : -1;
    }
    return KEvent.of(r.nextInt(4), EVFILT_TIMER, flags, fflags, data, UDATA[r.nextInt(3)]);
  }

  private static long period(SplittableRandom r, int unit) {
    long[] values = switch (unit) {
      case NOTE_SECONDS -> new long[] {0, 1, 2, 3};
      case NOTE_USECONDS -> new long[] {0, 1, 500, 1000, 999_999, 1_500_000};
      case NOTE_NSECONDS -> new long[] {0, 1, 1000, MS - 1, MS, MS + 1, 1000 * MS};
      default -> new long[] {0, 1, 2, 5, 10, 100, 999, 1000, 1500};
    };
    return values[r.nextInt(values.length)];
  }

  private static long unitNanos(int unit) {
    return switch (unit) {
      case NOTE_SECONDS -> 1000 * MS;
      case NOTE_USECONDS -> 1000;
      case NOTE_NSECONDS -> 1;
      default -> MS;
    };
  }

  // ------------------------------------------------------------------ checking

  /**
   * Runs {@code sequences} random sequences of up to {@code maxLength} steps, sequence {@code i}
   * from seed {@code seed + i}, until done or {@code budget} is spent; on the first difference
   * throws an {@link AssertionError} with the shrunk sequence. Returns the number of sequences run.
   */
  int check(long seed, int sequences, int maxLength, Duration budget) {
    long end = System.nanoTime() + budget.toNanos();
    int i = 0;
    for (; i < sequences && System.nanoTime() < end; i++) {
      SplittableRandom r = new SplittableRandom(seed + i);
      List<Step> steps = generate(r, 1 + r.nextInt(maxLength));
      Mismatch failure = failure(steps);
      if (failure != null) {
        List<Step> prefix = steps.subList(0, Math.min(steps.size(), failure.step + 1));
        List<Step> minimal = minimize(prefix);
        Mismatch last = failure(minimal);
        StringBuilder s = new StringBuilder("EVFILT_TIMER differs from the model (seed ")
            .append(seed).append(", sequence ").append(i).append(", replay with -Dkq.seed=")
            .append(seed).append("); minimal sequence of ").append(minimal.size())
            .append(" steps, then a draining scan:\n");
        for (int j = 0; j < minimal.size(); j++) {
          s.append("  ").append(j).append(": ").append(minimal.get(j)).append('\n');
        }
        throw new AssertionError(s.append(last == null ? failure : last).toString());
      }
    }
    return i;
  }

  /** Drops steps, then changes within calls, while the sequence still fails. */
  List<Step> minimize(List<Step> steps) {
    List<Step> current = Shrink.removeSteps(steps, c -> failure(c) != null);
    for (int i = 0; i < current.size(); i++) {
      if (current.get(i) instanceof Call call && call.changes().length > 1) {
        List<Step> base = current;
        int at = i;
        List<KEvent> changes = Shrink.removeSteps(Arrays.asList(call.changes()), fewer -> {
          List<Step> candidate = new ArrayList<>(base);
          candidate.set(at, new Call(fewer.toArray(new KEvent[0]), call.capacity()));
          return failure(candidate) != null;
        });
        current = new ArrayList<>(current);
        current.set(i, new Call(changes.toArray(new KEvent[0]), call.capacity()));
      }
    }
    return current;
  }

  /** The first difference of {@code steps}, or null when kernel and model agree throughout. */
  Mismatch failure(List<Step> steps) {
    ManualClock clock = new ManualClock();
    TimerService service = TimerService.driven(clock);
    TimerFilter filter = new TimerFilter(service, 1000);
    swapTimerFilter(filter);
    EmulatedKQueue kq = EmulatedKQueue.open();
    TimerModel model = new TimerModel(clock.wallClockNanos());
    try {
      for (int i = 0; i <= steps.size(); i++) {
        Step step = i < steps.size() ? steps.get(i) : new Call(new KEvent[0], 8); // drain
        String before = model.toString();
        String diff = step(step, clock, service, kq, model);
        if (diff == null) {
          diff = compareCounts(filter, service, kq, model);
        }
        if (diff != null) {
          return new Mismatch(i, "step " + i + ": " + step + "\n  model before: " + before
              + "\n  " + diff + "\n  model after: " + model);
        }
      }
      return null;
    } finally {
      kq.close();
    }
  }

  /** Installs {@code filter} as every kqueue's {@code EVFILT_TIMER}. */
  static void swapTimerFilter(TimerFilter filter) {
    try {
      Filters.remove(EVFILT_TIMER);
      Filters.add(EVFILT_TIMER, filter);
    } catch (KQueueException e) {
      throw new IllegalStateException("cannot install the timer filter", e);
    }
  }

  /** Applies one step to both; the difference, or null. */
  private String step(Step step, ManualClock clock, TimerService service, EmulatedKQueue kq,
      TimerModel model) {
    steps++;
    if (step instanceof Advance a) {
      clock.advanceNanos(a.nanos());
      int fired = service.expire();
      int expected = model.advance(a.nanos());
      expirations += fired;
      return fired == expected ? null : "expired timers: expected " + expected + " actual " + fired;
    }
    if (step instanceof WallStep w) {
      clock.stepWallClock(Duration.ofNanos(w.nanos()));
      model.stepWallClock(w.nanos());
      return null;
    }
    Call call = (Call) step;
    KEvent[] out = new KEvent[call.capacity()];
    int count;
    int errno = 0;
    try {
      count = kq.kevent(call.changes(), out, Duration.ZERO);
    } catch (KQueueException e) {
      count = -1;
      errno = e.errno();
    }
    TimerModel.Outcome expected = model.kevent(call.changes(), call.capacity(), out);
    if (expected.count() != count || expected.errno() != errno
        || !Arrays.equals(expected.eventlist(), out)) {
      return "expected " + describe(expected.count(), expected.errno(), expected.eventlist())
          + "\n  actual   " + describe(count, errno, out);
    }
    for (int i = 0; i < count; i++) {
      int flags = out[i].flags();
      if ((flags & EV_ERROR) != 0) {
        errorEntries++;
      } else {
        events++;
        oneshots += (flags & EV_ONESHOT) != 0 ? 1 : 0;
      }
    }
    return null;
  }

  private static String compareCounts(TimerFilter filter, TimerService service, EmulatedKQueue kq,
      TimerModel model) {
    service.checkInvariants();
    int knotes = kq.checkInvariants();
    if (knotes != model.size() || filter.timers() != model.size()) {
      return "knotes: expected " + model.size() + " actual " + knotes + " (filter counts "
          + filter.timers() + ")";
    }
    if (service.size() != model.scheduled() || service.nextDelayNanos() != model.nextDelay()) {
      return "scheduled timers: expected " + model.scheduled() + " next in " + model.nextDelay()
          + " ns, actual " + service.size() + " next in " + service.nextDelayNanos() + " ns";
    }
    return null;
  }

  private static String describe(int count, int errno, KEvent[] events) {
    return (count >= 0 ? "returned " + count : "threw errno " + errno) + " "
        + Arrays.toString(Arrays.copyOf(events, Math.max(0, count)));
  }

  String coverage() {
    return String.format("%,d steps, %,d timer expiries, %,d events (%,d oneshot), %,d EV_ERROR"
        + " entries (receipts, change errors, failed re-adds)", steps, expirations, events,
        oneshots, errorEntries);
  }
}
