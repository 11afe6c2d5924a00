package io.kqueue4j.reliability;

import static io.kqueue4j.KEvent.EVFILT_AIO;
import static io.kqueue4j.KEvent.EVFILT_USER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.EV_DISABLE;
import static io.kqueue4j.KEvent.EV_DISPATCH;
import static io.kqueue4j.KEvent.EV_ENABLE;
import static io.kqueue4j.KEvent.EV_FORCEONESHOT;
import static io.kqueue4j.KEvent.EV_KEEPUDATA;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static io.kqueue4j.KEvent.EV_RECEIPT;
import static io.kqueue4j.KEvent.EV_SYSFLAGS;
import static io.kqueue4j.KEvent.NOTE_FFAND;
import static io.kqueue4j.KEvent.NOTE_FFCOPY;
import static io.kqueue4j.KEvent.NOTE_FFNOP;
import static io.kqueue4j.KEvent.NOTE_FFOR;
import static io.kqueue4j.KEvent.NOTE_TRIGGER;
import static org.quicktheories.generators.SourceDSL.lists;

import io.kqueue4j.KEvent;
import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.EmulatedKQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.quicktheories.QuickTheory;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.impl.Constraint;

/**
 * Drives the real emulated kqueue and {@link UserKnoteModel} with the same random sequence of
 * {@code kevent} calls and compares them after every call: the return value or errno, every entry
 * of the event list (order included, as the model fixes it), the knote count, and {@link
 * EmulatedKQueue#checkInvariants()}.
 */
final class ModelRun {
  /** Distinct udata objects, compared by identity; index 0 is null. */
  static final Object[] UDATA = {null, new Token("u1"), new Token("u2"), new Token("u3")};

  /** Counters for the report: calls compared and sequences run in this JVM. */
  static final AtomicLong STEPS = new AtomicLong();
  static final AtomicLong SEQUENCES = new AtomicLong();
  /** Coverage: events, error entries, receipts, thrown errnos, oneshot and dispatch deliveries. */
  static final AtomicLong EVENTS = new AtomicLong();
  static final AtomicLong ERROR_ENTRIES = new AtomicLong();
  static final AtomicLong RECEIPTS = new AtomicLong();
  static final AtomicLong THROWN = new AtomicLong();
  static final AtomicLong ONESHOTS = new AtomicLong();
  static final AtomicLong DISPATCHES = new AtomicLong();

  static String coverage() {
    return String.format("%,d events (%,d oneshot, %,d dispatch), %,d error entries, %,d receipts,"
        + " %,d calls threw", EVENTS.get(), ONESHOTS.get(), DISPATCHES.get(), ERROR_ENTRIES.get(),
        RECEIPTS.get(), THROWN.get());
  }

  private ModelRun() {}

  record Token(String name) {
    @Override
    public boolean equals(Object o) {
      return this == o;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(this);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * One {@code kevent} call: the array form with explicit counts, or the {@link KEventBuffer} form
   * (then {@code nchanges == changes.length} and {@code nevents == capacity}). Always a zero timeout.
   */
  record Call(KEvent[] changes, int nchanges, int capacity, int nevents, boolean buffer) {
    @Override
    public String toString() {
      StringBuilder s = new StringBuilder(buffer ? "kevent[buf](" : "kevent(");
      s.append('[');
      for (int i = 0; i < changes.length; i++) {
        if (i > 0) {
          s.append(", ");
        }
        KEvent c = changes[i];
        s.append(c == null ? "null" : c.ident() + " " + KEvent.filterName(c.filter()) + " "
            + KEvent.flagNames(c.flags()) + " 0x" + Integer.toHexString(c.fflags()) + " "
            + c.data() + " " + c.udata());
      }
      s.append(']');
      if (nchanges != changes.length) {
        s.append(" nchanges=").append(nchanges);
      }
      s.append(" out=").append(capacity);
      if (nevents != capacity) {
        s.append(" nevents=").append(nevents);
      }
      return s.append(')').toString();
    }
  }

  // ------------------------------------------------------------------ generators

  /** A value in [min, max] that shrinks towards {@code min}. */
  private static int between(RandomnessSource in, int min, int max) {
    return (int) in.next(Constraint.between(min, max).withShrinkPoint(min));
  }

  /** An index chosen with the given weights; shrinks towards index 0. */
  private static int weighted(RandomnessSource in, int... weights) {
    int total = Arrays.stream(weights).sum();
    int r = between(in, 0, total - 1);
    for (int i = 0; i < weights.length; i++) {
      if (r < weights[i]) {
        return i;
      }
      r -= weights[i];
    }
    throw new AssertionError();
  }

  /** True once in {@code n} draws; shrinks to false. */
  private static boolean oneIn(RandomnessSource in, int n) {
    return between(in, 0, n - 1) == n - 1;
  }

  private static final short[] FILTERS = {EVFILT_USER, EVFILT_AIO, 0, -99, 7};
  private static final int[] ACTIONS = {
    0, EV_ADD, EV_DELETE, EV_ENABLE, EV_DISABLE, EV_ADD | EV_DELETE, EV_FORCEONESHOT,
    EV_ENABLE | EV_DISABLE, -1
  };
  private static final int[] FF_CTRL = {NOTE_FFNOP, NOTE_FFOR, NOTE_FFAND, NOTE_FFCOPY};
  private static final int[] FF_VALUES = {0, 1, 2, 3, 0xf0, 0xffffff};

  /** One change, mostly on {@code EVFILT_USER} idents 0 to 4. */
  static final Gen<KEvent> CHANGE = in -> {
    long ident = between(in, 0, 4);
    short filter = FILTERS[weighted(in, 92, 3, 2, 2, 1)];
    int action = ACTIONS[weighted(in, 30, 25, 8, 10, 8, 2, 4, 1, 3)];
    int flags;
    if (action == -1) {
      flags = between(in, 0, 0xFFFF);
    } else {
      flags = action;
      boolean add = (action & EV_ADD) != 0;
      if (oneIn(in, add ? 2 : 8)) {
        flags |= EV_CLEAR;
      }
      if (oneIn(in, add ? 4 : 10)) {
        flags |= EV_ONESHOT;
      }
      if (oneIn(in, add ? 4 : 10)) {
        flags |= EV_DISPATCH;
      }
      if (add && oneIn(in, 6)) {
        flags |= EV_DISABLE;
      }
      if (oneIn(in, 8)) {
        flags |= EV_RECEIPT;
      }
      if (oneIn(in, 6)) {
        flags |= EV_KEEPUDATA;
      }
      if (oneIn(in, 20)) {
        flags |= new int[] {EV_SYSFLAGS, 0x0C00, 0xFFFF0000, 0x8000}[between(in, 0, 3)];
      }
    }
    boolean trigger = between(in, 0, 3) >= (action == 0 ? 1 : 2); // shrinks to no trigger
    int fflags = trigger ? NOTE_TRIGGER : 0;
    fflags |= FF_CTRL[weighted(in, 4, 2, 2, 2)];
    fflags |= oneIn(in, 8) ? between(in, 0, 0xffffff) : FF_VALUES[between(in, 0, FF_VALUES.length - 1)];
    long data = between(in, -1, 3);
    Object udata = UDATA[between(in, 0, UDATA.length - 1)];
    return new KEvent(ident, filter, flags, fflags, data, udata);
  };

  /** One call: 0 to 3 changes (0 is a pure scan), an event list of 0 to 6 entries. */
  static final Gen<Call> CALL = in -> {
    boolean buffer = oneIn(in, 5);
    int length = weighted(in, 35, 45, 12, 8);
    KEvent[] changes = new KEvent[length];
    for (int i = 0; i < length; i++) {
      changes[i] = !buffer && oneIn(in, 60) ? null : CHANGE.generate(in);
    }
    int capacity = weighted(in, 3, 10, 8, 6, 4, 2, 2);
    int nevents = capacity;
    int nchanges = length;
    if (!buffer) {
      if (oneIn(in, 6)) {
        nevents = between(in, 0, capacity);
      }
      if (oneIn(in, 80)) {
        nevents = oneIn(in, 2) ? -1 : capacity + 1;
      }
      if (oneIn(in, 80)) {
        nchanges = oneIn(in, 2) ? -1 : length + 1;
      }
    }
    return new Call(changes, nchanges, capacity, nevents, buffer);
  };

  // ------------------------------------------------------------------ the run

  /** A difference between kernel and model, found at call {@code step}. */
  static final class Mismatch extends AssertionError {
    private static final long serialVersionUID = 1L;
    final int step;

    Mismatch(int step, String message, Throwable cause) {
      super(message, cause);
      this.step = step;
    }
  }

  private static volatile List<Call> smallestFailure;

  /**
   * Runs random sequences of up to {@code maxLength} calls through {@code theory} (a configured
   * {@code qt()}); on failure, cuts quicktheories' smallest failing sequence after the failing call,
   * removes every call and change it can while the run still fails, and reports that sequence.
   */
  static void check(QuickTheory theory, int maxLength) {
    smallestFailure = null;
    try {
      theory.forAll(lists().of(CALL).ofSizeBetween(1, maxLength))
          .checkAssert(ModelRun::property);
    } catch (AssertionError qtFailure) {
      List<Call> smallest = smallestFailure;
      if (smallest == null) {
        throw qtFailure;
      }
      String message = String.valueOf(qtFailure.getMessage());
      int seedAt = message.lastIndexOf("Seed was");
      String seed = seedAt < 0 ? "" : message.substring(seedAt).trim();
      List<Call> minimal = minimize(smallest);
      Mismatch failure = failure(minimal);
      if (failure == null) {
        throw qtFailure;
      }
      StringBuilder s = new StringBuilder("the kernel differs from the model (")
          .append(seed).append(", replay with -DQT_SEED=...); minimal sequence of ")
          .append(minimal.size()).append(" calls:\n");
      for (int i = 0; i < minimal.size(); i++) {
        s.append("  ").append(i).append(": ").append(minimal.get(i)).append('\n');
      }
      throw new AssertionError(s.append(failure.getMessage()).toString(), failure);
    }
  }

  private static void property(List<Call> calls) {
    try {
      run(calls);
    } catch (Mismatch e) {
      List<Call> prefix = List.copyOf(calls.subList(0, Math.min(calls.size(), e.step + 1)));
      List<Call> known = smallestFailure;
      if (known == null || prefix.size() < known.size()) {
        smallestFailure = prefix;
      }
      throw e;
    }
  }

  /** The failure of {@code calls}, or null when they pass. */
  private static Mismatch failure(List<Call> calls) {
    try {
      run(calls);
      return null;
    } catch (Mismatch e) {
      return e;
    }
  }

  /** Greedy delta debugging: drop calls, then changes within calls, while the run still fails. */
  static List<Call> minimize(List<Call> calls) {
    List<Call> current = new ArrayList<>(calls);
    boolean progress = true;
    while (progress) {
      progress = false;
      for (int i = current.size() - 1; i >= 0; i--) {
        List<Call> candidate = new ArrayList<>(current);
        candidate.remove(i);
        if (!candidate.isEmpty() && failure(candidate) != null) {
          current = candidate;
          progress = true;
        }
      }
      for (int i = 0; i < current.size(); i++) {
        Call call = current.get(i);
        for (int j = call.changes().length - 1; j >= 0; j--) {
          if (call.nchanges() != call.changes().length) {
            break;
          }
          KEvent[] fewer = new KEvent[call.changes().length - 1];
          System.arraycopy(call.changes(), 0, fewer, 0, j);
          System.arraycopy(call.changes(), j + 1, fewer, j, fewer.length - j);
          Call smaller = new Call(fewer, fewer.length, call.capacity(), call.nevents(),
              call.buffer());
          List<Call> candidate = new ArrayList<>(current);
          candidate.set(i, smaller);
          if (failure(candidate) != null) {
            current = candidate;
            call = smaller;
            progress = true;
          }
        }
      }
    }
    return simplifyFields(current);
  }

  /** Clears flag and fflag bits, data and udata of each change while the run still fails. */
  private static List<Call> simplifyFields(List<Call> calls) {
    List<Call> current = new ArrayList<>(calls);
    for (int i = 0; i < current.size(); i++) {
      for (int j = 0; j < current.get(i).changes().length; j++) {
        KEvent c = current.get(i).changes()[j];
        if (c == null) {
          continue;
        }
        List<KEvent> tries = new ArrayList<>();
        for (int bit = 31; bit >= 0; bit--) {
          tries.add(new KEvent(c.ident(), c.filter(), c.flags() & ~(1 << bit), c.fflags(),
              c.data(), c.udata()));
          tries.add(new KEvent(c.ident(), c.filter(), c.flags(), c.fflags() & ~(1 << bit),
              c.data(), c.udata()));
        }
        tries.add(new KEvent(c.ident(), c.filter(), c.flags(), c.fflags(), 0, c.udata()));
        tries.add(new KEvent(c.ident(), c.filter(), c.flags(), c.fflags(), c.data(), null));
        for (KEvent simpler : tries) {
          KEvent now = current.get(i).changes()[j];
          simpler = new KEvent(now.ident(), now.filter(),
              simpler.flags() == c.flags() ? now.flags() : now.flags() & simpler.flags(),
              simpler.fflags() == c.fflags() ? now.fflags() : now.fflags() & simpler.fflags(),
              simpler.data() == c.data() ? now.data() : simpler.data(),
              simpler.udata() == c.udata() ? now.udata() : simpler.udata());
          if (simpler.equals(now)) {
            continue;
          }
          Call call = current.get(i);
          KEvent[] changes = call.changes().clone();
          changes[j] = simpler;
          List<Call> candidate = new ArrayList<>(current);
          candidate.set(i, new Call(changes, call.nchanges(), call.capacity(), call.nevents(),
              call.buffer()));
          if (failure(candidate) != null) {
            current = candidate;
          }
        }
      }
    }
    return current;
  }

  /** Runs one sequence against a fresh queue and a fresh model; throws on the first difference. */
  static void run(List<Call> calls) {
    SEQUENCES.incrementAndGet();
    EmulatedKQueue kq = EmulatedKQueue.open();
    UserKnoteModel model = new UserKnoteModel();
    try {
      for (int step = 0; step < calls.size(); step++) {
        step(kq, model, calls.get(step), step);
      }
      step(kq, model, new Call(new KEvent[0], 0, 64, 64, false), calls.size()); // drain
    } finally {
      kq.close();
    }
  }

  private static void step(EmulatedKQueue kq, UserKnoteModel model, Call call, int step) {
    String before = model.toString();
    UserKnoteModel.Outcome expected =
        model.kevent(call.changes(), call.nchanges(), call.capacity(), call.nevents());
    UserKnoteModel.Outcome actual = execute(kq, call, step);
    STEPS.incrementAndGet();
    String where = "step " + step + ": " + call + "\n  model before: " + before;
    if (expected.errno() != actual.errno() || expected.count() != actual.count()) {
      throw new Mismatch(step, where + "\n  expected " + describe(expected) + "\n  actual   "
          + describe(actual), null);
    }
    // The buffer form reports only its first `count` entries.
    int compared = call.buffer() ? Math.max(0, actual.count()) : call.capacity();
    if (!Arrays.equals(expected.eventlist(), 0, compared, actual.eventlist(), 0, compared)) {
      throw new Mismatch(step, where + "\n  expected " + describe(expected) + "\n  actual   "
          + describe(actual), null);
    }
    if (actual.count() < 0) {
      THROWN.incrementAndGet();
    }
    for (int i = 0; i < Math.max(0, actual.count()); i++) {
      KEvent ev = actual.eventlist()[i];
      if ((ev.flags() & KEvent.EV_ERROR) != 0) {
        (ev.data() == 0 ? RECEIPTS : ERROR_ENTRIES).incrementAndGet();
      } else {
        EVENTS.incrementAndGet();
        if ((ev.flags() & EV_ONESHOT) != 0) {
          ONESHOTS.incrementAndGet();
        } else if ((ev.flags() & EV_DISPATCH) != 0) {
          DISPATCHES.incrementAndGet();
        }
      }
    }
    int knotes;
    try {
      knotes = kq.checkInvariants();
    } catch (IllegalStateException e) {
      throw new Mismatch(step, where + "\n  invariant broken: " + e.getMessage(), e);
    }
    if (knotes != model.size()) {
      throw new Mismatch(step, where + "\n  knotes: expected " + model.size() + " actual "
          + knotes + "\n  model after: " + model, null);
    }
  }

  private static UserKnoteModel.Outcome execute(EmulatedKQueue kq, Call call, int step) {
    KEvent[] out = new KEvent[call.capacity()];
    try {
      if (!call.buffer()) {
        int n = kq.kevent(call.changes(), call.nchanges(), out, call.nevents(), Duration.ZERO);
        return UserKnoteModel.Outcome.returned(n, out);
      }
      KEventBuffer changes = new KEventBuffer(call.changes().length);
      for (KEvent c : call.changes()) {
        changes.add(c.ident(), c.filter(), c.flags(), c.fflags(), c.data(), c.udata());
      }
      KEventBuffer events = new KEventBuffer(call.capacity());
      int n = kq.kevent(changes, events, 0);
      if (events.size() != n) {
        throw new Mismatch(step, call + ": buffer size " + events.size() + " but returned " + n, null);
      }
      for (int i = 0; i < n; i++) {
        out[i] = events.get(i);
      }
      return UserKnoteModel.Outcome.returned(n, out);
    } catch (KQueueException e) {
      return UserKnoteModel.Outcome.thrown(e.errno(), out);
    } catch (RuntimeException e) {
      throw new Mismatch(step, "step " + step + ": " + call + " threw " + e, e);
    }
  }

  private static String describe(UserKnoteModel.Outcome o) {
    String head = o.count() >= 0 ? "returned " + o.count() : "threw errno " + o.errno();
    return head + " " + Arrays.toString(o.eventlist());
  }
}
