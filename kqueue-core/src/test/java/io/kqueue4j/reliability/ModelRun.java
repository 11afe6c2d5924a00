package io.kqueue4j.reliability;

import static io.kqueue4j.KEvent.EV_DISPATCH;
import static io.kqueue4j.KEvent.EV_EOF;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static org.quicktheories.generators.SourceDSL.lists;

import io.kqueue4j.KEvent;
import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.EmulatedKQueue;
import io.kqueue4j.reliability.KNoteModel.BrokenRule;
import io.kqueue4j.reliability.KNoteModel.Outcome;
import io.kqueue4j.reliability.ModelSteps.Call;
import io.kqueue4j.reliability.ModelSteps.SourceStep;
import io.kqueue4j.reliability.ModelSteps.Step;
import io.kqueue4j.testing.FilterSlot;
import io.kqueue4j.testing.Shrink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.quicktheories.QuickTheory;

/**
 * Drives the real emulated kqueue and {@link KNoteModel} with the same random sequence of steps
 * ({@code kevent} calls and level-source writes, reads and hang-ups) and compares them after every
 * step: for a call the return value or errno and every entry of the event list (order included, as
 * the model fixes it); after every step the knote count and {@link
 * EmulatedKQueue#checkInvariants()}. A run ends with a draining scan, compared too.
 */
final class ModelRun {
  /** Counters for the report: steps compared in this JVM. */
  static final AtomicLong STEPS = new AtomicLong();
  /** Coverage: events, error entries, receipts, thrown errnos, oneshot, dispatch and EOF events. */
  static final AtomicLong EVENTS = new AtomicLong();
  static final AtomicLong LEVEL_EVENTS = new AtomicLong();
  static final AtomicLong ERROR_ENTRIES = new AtomicLong();
  static final AtomicLong RECEIPTS = new AtomicLong();
  static final AtomicLong THROWN = new AtomicLong();
  static final AtomicLong ONESHOTS = new AtomicLong();
  static final AtomicLong DISPATCHES = new AtomicLong();
  static final AtomicLong EOFS = new AtomicLong();

  static String coverage() {
    return String.format("%,d events (%,d of the level filter, %,d oneshot, %,d dispatch, %,d EOF),"
        + " %,d error entries, %,d receipts, %,d calls threw", EVENTS.get(), LEVEL_EVENTS.get(),
        ONESHOTS.get(), DISPATCHES.get(), EOFS.get(), ERROR_ENTRIES.get(), RECEIPTS.get(),
        THROWN.get());
  }

  private ModelRun() {}

  /** A difference between kernel and model, found at step {@code step}. */
  static final class Mismatch extends AssertionError {
    private static final long serialVersionUID = 1L;
    final int step;

    Mismatch(int step, String message, Throwable cause) {
      super(message, cause);
      this.step = step;
    }
  }

  /** The report of a failed check: the minimal failing sequence, and quicktheories' seed. */
  static final class Failure extends AssertionError {
    private static final long serialVersionUID = 1L;
    /** The minimal sequence; its last step is the one that differs, or the final drain. */
    final transient List<Step> minimal;

    Failure(String message, List<Step> minimal, Mismatch cause) {
      super(message, cause);
      this.minimal = List.copyOf(minimal);
    }
  }

  /** One level filter for every check, on a test filter id installed per check. */
  private static final LevelSourceFilter LEVEL = new LevelSourceFilter();

  private static volatile List<Step> smallestFailure;

  /**
   * Runs random sequences of up to {@code maxLength} steps through {@code theory} (a configured
   * {@code qt()}) with the model getting the {@code broken} rules wrong (normally none); on failure,
   * cuts quicktheories' smallest failing sequence after the failing step, removes every step and
   * change it can while the run still fails, clears flag bits, and throws a {@link Failure}
   * reporting that sequence.
   */
  static void check(QuickTheory theory, int maxLength, Set<BrokenRule> broken)
      throws KQueueException {
    smallestFailure = null;
    try (FilterSlot slot = FilterSlot.install(LEVEL)) {
      short level = slot.filter;
      try {
        theory.forAll(lists().of(ModelSteps.step(level)).ofSizeBetween(1, maxLength))
            .checkAssert(steps -> property(steps, level, broken));
      } catch (AssertionError qtFailure) {
        List<Step> smallest = smallestFailure;
        if (smallest == null) {
          throw qtFailure;
        }
        String message = String.valueOf(qtFailure.getMessage());
        int seedAt = message.lastIndexOf("Seed was");
        String seed = seedAt < 0 ? "" : message.substring(seedAt).trim();
        List<Step> minimal = minimize(smallest, level, broken);
        Mismatch failure = failure(minimal, level, broken);
        if (failure == null) {
          throw qtFailure;
        }
        StringBuilder s = new StringBuilder("the kernel differs from the model (")
            .append(seed).append(", replay with -DQT_SEED=...); minimal sequence of ")
            .append(minimal.size()).append(" steps, then a draining scan:\n");
        for (int i = 0; i < minimal.size(); i++) {
          s.append("  ").append(i).append(": ").append(minimal.get(i)).append('\n');
        }
        throw new Failure(s.append(failure.getMessage()).toString(), minimal, failure);
      }
    }
  }

  private static void property(List<Step> steps, short level, Set<BrokenRule> broken) {
    try {
      run(steps, level, broken);
    } catch (Mismatch e) {
      List<Step> prefix = List.copyOf(steps.subList(0, Math.min(steps.size(), e.step + 1)));
      List<Step> known = smallestFailure;
      if (known == null || prefix.size() < known.size()) {
        smallestFailure = prefix;
      }
      throw e;
    }
  }

  /**
   * Replays {@code steps} with the level filter installed as {@link #check} does, so on the same
   * filter id when the same ids are free: the failure, or null when they pass.
   */
  static Mismatch replay(List<Step> steps, Set<BrokenRule> broken) throws KQueueException {
    try (FilterSlot slot = FilterSlot.install(LEVEL)) {
      return failure(steps, slot.filter, broken);
    }
  }

  /** The failure of {@code steps}, or null when they pass. */
  private static Mismatch failure(List<Step> steps, short level, Set<BrokenRule> broken) {
    try {
      run(steps, level, broken);
      return null;
    } catch (Mismatch e) {
      return e;
    }
  }

  /** Delta debugging: drop steps, then changes within calls, while the run still fails. */
  private static List<Step> minimize(List<Step> steps, short level, Set<BrokenRule> broken) {
    List<Step> current = steps;
    int before = -1;
    while (before != weight(current)) {
      before = weight(current);
      current = Shrink.removeSteps(current, c -> failure(c, level, broken) != null);
      for (int i = 0; i < current.size(); i++) {
        if (!(current.get(i) instanceof Call call) || call.nchanges() != call.changes().length) {
          continue;
        }
        List<Step> base = current;
        int at = i;
        Predicate<List<KEvent>> fails = fewer -> {
          List<Step> candidate = new ArrayList<>(base);
          candidate.set(at, withChanges(call, fewer.toArray(new KEvent[0])));
          return failure(candidate, level, broken) != null;
        };
        List<KEvent> changes = Shrink.removeSteps(Arrays.asList(call.changes()), fails);
        if (changes.size() == 1 && fails.test(List.of())) {
          changes = List.of();
        }
        if (changes.size() < call.changes().length) {
          current = new ArrayList<>(current);
          current.set(i, withChanges(call, changes.toArray(new KEvent[0])));
        }
      }
    }
    return simplifyFields(current, level, broken);
  }

  /** Steps plus changes: what {@link #minimize} makes smaller. */
  private static int weight(List<Step> steps) {
    int w = steps.size();
    for (Step s : steps) {
      w += s instanceof Call call ? call.changes().length : 0;
    }
    return w;
  }

  private static Call withChanges(Call call, KEvent[] changes) {
    return new Call(changes, changes.length, call.capacity(), call.nevents(), call.buffer());
  }

  /** Clears flag and fflag bits, data and udata of each change while the run still fails. */
  private static List<Step> simplifyFields(List<Step> steps, short level, Set<BrokenRule> broken) {
    List<Step> current = new ArrayList<>(steps);
    for (int i = 0; i < current.size(); i++) {
      if (!(current.get(i) instanceof Call)) {
        continue;
      }
      for (int j = 0; j < ((Call) current.get(i)).changes().length; j++) {
        KEvent c = ((Call) current.get(i)).changes()[j];
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
          Call call = (Call) current.get(i);
          KEvent now = call.changes()[j];
          simpler = new KEvent(now.ident(), now.filter(),
              simpler.flags() == c.flags() ? now.flags() : now.flags() & simpler.flags(),
              simpler.fflags() == c.fflags() ? now.fflags() : now.fflags() & simpler.fflags(),
              simpler.data() == c.data() ? now.data() : simpler.data(),
              simpler.udata() == c.udata() ? now.udata() : simpler.udata());
          if (simpler.equals(now)) {
            continue;
          }
          KEvent[] changes = call.changes().clone();
          changes[j] = simpler;
          List<Step> candidate = new ArrayList<>(current);
          candidate.set(i, new Call(changes, call.nchanges(), call.capacity(), call.nevents(),
              call.buffer()));
          if (failure(candidate, level, broken) != null) {
            current = candidate;
          }
        }
      }
    }
    return current;
  }

  /** Runs one sequence against a fresh queue and model; throws on the first difference. */
  static void run(List<Step> steps, short level, Set<BrokenRule> broken) {
    LEVEL.reset(KNoteModel.LEVEL_SOURCES);
    EmulatedKQueue kq = EmulatedKQueue.open();
    KNoteModel model = new KNoteModel(level, broken);
    try {
      for (int i = 0; i < steps.size(); i++) {
        step(kq, model, steps.get(i), i);
      }
      step(kq, model, new Call(new KEvent[0], 0, 64, 64, false), steps.size()); // drain
    } finally {
      kq.close();
    }
  }

  private static void step(EmulatedKQueue kq, KNoteModel model, Step step, int index) {
    String before = model.toString();
    String where = "step " + index + ": " + step + "\n  model before: " + before;
    STEPS.incrementAndGet();
    if (step instanceof SourceStep s) {
      switch (s.action()) {
        case WRITE -> {
          model.write(s.source(), s.bytes());
          LEVEL.write(s.source(), s.bytes());
        }
        case READ -> {
          model.read(s.source(), s.bytes());
          LEVEL.read(s.source(), s.bytes());
        }
        case HANG_UP -> {
          model.hangUp(s.source());
          LEVEL.hangUp(s.source());
        }
      }
    } else {
      compareCall(kq, model, (Call) step, index, where);
    }
    int knotes;
    try {
      knotes = kq.checkInvariants();
    } catch (IllegalStateException e) {
      throw new Mismatch(index, where + "\n  invariant broken: " + e.getMessage(), e);
    }
    if (knotes != model.size()) {
      throw new Mismatch(index, where + "\n  knotes: expected " + model.size() + " actual "
          + knotes + "\n  model after: " + model, null);
    }
  }

  private static void compareCall(EmulatedKQueue kq, KNoteModel model, Call call, int index,
      String where) {
    Outcome expected = model.kevent(call.changes(), call.nchanges(), call.capacity(),
        call.nevents());
    Outcome actual = execute(kq, call, index);
    // The buffer form reports only its first `count` entries.
    int compared = call.buffer() ? Math.max(0, actual.count()) : call.capacity();
    if (expected.errno() != actual.errno() || expected.count() != actual.count()
        || !Arrays.equals(expected.eventlist(), 0, compared, actual.eventlist(), 0, compared)) {
      throw new Mismatch(index, where + "\n  expected " + describe(expected) + "\n  actual   "
          + describe(actual), null);
    }
    count(actual);
  }

  private static void count(Outcome actual) {
    if (actual.count() < 0) {
      THROWN.incrementAndGet();
    }
    for (int i = 0; i < Math.max(0, actual.count()); i++) {
      KEvent ev = actual.eventlist()[i];
      if ((ev.flags() & KEvent.EV_ERROR) != 0) {
        (ev.data() == 0 ? RECEIPTS : ERROR_ENTRIES).incrementAndGet();
        continue;
      }
      EVENTS.incrementAndGet();
      if (ev.filter() != KEvent.EVFILT_USER) {
        LEVEL_EVENTS.incrementAndGet();
      }
      if ((ev.flags() & EV_ONESHOT) != 0) {
        ONESHOTS.incrementAndGet();
      } else if ((ev.flags() & EV_DISPATCH) != 0) {
        DISPATCHES.incrementAndGet();
      }
      if ((ev.flags() & EV_EOF) != 0) {
        EOFS.incrementAndGet();
      }
    }
  }

  private static Outcome execute(EmulatedKQueue kq, Call call, int index) {
    KEvent[] out = new KEvent[call.capacity()];
    try {
      if (!call.buffer()) {
        int n = kq.kevent(call.changes(), call.nchanges(), out, call.nevents(), Duration.ZERO);
        return Outcome.returned(n, out);
      }
      KEventBuffer changes = new KEventBuffer(call.changes().length);
      for (KEvent c : call.changes()) {
        changes.add(c.ident(), c.filter(), c.flags(), c.fflags(), c.data(), c.udata());
      }
      KEventBuffer events = new KEventBuffer(call.capacity());
      int n = kq.kevent(changes, events, 0);
      if (events.size() != n) {
        throw new Mismatch(index, call + ": buffer size " + events.size() + " but returned " + n,
            null);
      }
      for (int i = 0; i < n; i++) {
        out[i] = events.get(i);
      }
      return Outcome.returned(n, out);
    } catch (KQueueException e) {
      return Outcome.thrown(e.errno(), out);
    } catch (RuntimeException e) {
      throw new Mismatch(index, "step " + index + ": " + call + " threw " + e, e);
    }
  }

  private static String describe(Outcome o) {
    String head = o.count() >= 0 ? "returned " + o.count() : "threw errno " + o.errno();
    int shown = o.eventlist().length;
    while (shown > 0 && o.eventlist()[shown - 1] == null) {
      shown--;
    }
    return head + " " + Arrays.toString(Arrays.copyOf(o.eventlist(), shown))
        + (shown < o.eventlist().length ? " and nulls" : "");
  }
}
