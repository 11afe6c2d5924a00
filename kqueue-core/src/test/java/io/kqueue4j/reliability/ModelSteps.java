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
import static io.kqueue4j.KEvent.NOTE_LOWAT;
import static io.kqueue4j.KEvent.NOTE_TRIGGER;

import io.kqueue4j.KEvent;
import java.util.Arrays;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.impl.Constraint;

/**
 * The steps of a model run and their quicktheories generators. Every choice is drawn so that it
 * shrinks towards the simplest value: a {@code kevent} call rather than a source step, fewer
 * changes, action 0, no trigger, no extra flag.
 */
final class ModelSteps {
  /** Distinct udata objects, compared by identity; index 0 is null. */
  static final Object[] UDATA = {null, new Token("u1"), new Token("u2"), new Token("u3")};

  private ModelSteps() {}

  /** A udata value equal only to itself, with a short name for reports. */
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

  /** One step of a run, applied to the kernel and the model alike. */
  sealed interface Step permits Call, SourceStep {}

  /**
   * One {@code kevent} call: the array form with explicit counts, or the {@link
   * io.kqueue4j.KEventBuffer} form (then {@code nchanges == changes.length} and {@code nevents ==
   * capacity}). Always a zero timeout.
   */
  record Call(KEvent[] changes, int nchanges, int capacity, int nevents, boolean buffer)
      implements Step {
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

  /** What a level source does in a {@link SourceStep}. */
  enum SourceAction { WRITE, READ, HANG_UP }

  /** Source {@code source} of the level filter writes or reads {@code bytes}, or hangs up. */
  record SourceStep(SourceAction action, int source, int bytes) implements Step {
    @Override
    public String toString() {
      return switch (action) {
        case WRITE -> "write(source " + source + ", " + bytes + ")";
        case READ -> "read(source " + source + ", " + bytes + ")";
        case HANG_UP -> "hangUp(source " + source + ")";
      };
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

  private static final int[] ACTIONS = {
    0, EV_ADD, EV_DELETE, EV_ENABLE, EV_DISABLE, EV_ADD | EV_DELETE, EV_FORCEONESHOT,
    EV_ENABLE | EV_DISABLE, -1
  };
  private static final int[] FF_CTRL = {NOTE_FFNOP, NOTE_FFOR, NOTE_FFAND, NOTE_FFCOPY};
  private static final int[] FF_VALUES = {0, 1, 2, 3, 0xf0, 0xffffff};

  /** The flags of one change: an action (or random bits) and delivery flags. */
  private static int flags(RandomnessSource in) {
    int action = ACTIONS[weighted(in, 30, 25, 8, 10, 8, 2, 4, 1, 3)];
    if (action == -1) {
      return between(in, 0, 0xFFFF);
    }
    int flags = action;
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
    return flags;
  }

  /** The fflags of a user change: a trigger, an {@code NOTE_FF*} operation and a value. */
  private static int userFflags(RandomnessSource in, int flags) {
    boolean modify = (flags & (EV_ADD | EV_DELETE | EV_ENABLE | EV_DISABLE | EV_FORCEONESHOT)) == 0;
    boolean trigger = between(in, 0, 3) >= (modify ? 1 : 2); // shrinks to no trigger
    int fflags = trigger ? NOTE_TRIGGER : 0;
    fflags |= FF_CTRL[weighted(in, 4, 2, 2, 2)];
    return fflags | (oneIn(in, 8) ? between(in, 0, 0xffffff)
        : FF_VALUES[between(in, 0, FF_VALUES.length - 1)]);
  }

  /**
   * One change, mostly on {@code EVFILT_USER} and {@code level} idents 0 to 4 (level ident 9 fails
   * to attach), sometimes on {@code EVFILT_AIO}, filter 0 or unknown filters.
   */
  static Gen<KEvent> change(short level) {
    short[] filters = {EVFILT_USER, level, EVFILT_AIO, 0, -99, 7};
    return in -> {
      short filter = filters[weighted(in, 55, 37, 3, 2, 2, 1)];
      long ident = filter == level && oneIn(in, 30) ? 9 : between(in, 0, 4);
      int flags = flags(in);
      int fflags;
      if (filter == level) {
        fflags = new int[] {0, NOTE_LOWAT, between(in, 0, 0xff)}[weighted(in, 3, 2, 1)];
      } else {
        fflags = userFflags(in, flags);
      }
      long data = between(in, -1, 3);
      Object udata = UDATA[between(in, 0, UDATA.length - 1)];
      return new KEvent(ident, filter, flags, fflags, data, udata);
    };
  }

  /** One call: 0 to 3 changes (0 is a pure scan), an event list of 0 to 6 entries. */
  static Gen<Call> call(short level) {
    Gen<KEvent> change = change(level);
    return in -> {
      boolean buffer = oneIn(in, 5);
      int length = weighted(in, 35, 45, 12, 8);
      KEvent[] changes = new KEvent[length];
      for (int i = 0; i < length; i++) {
        changes[i] = !buffer && oneIn(in, 60) ? null : change.generate(in);
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
  }

  /** A write (most often), read or hang-up of one of the level sources. */
  static final Gen<SourceStep> SOURCE_STEP = in -> {
    SourceAction action = SourceAction.values()[weighted(in, 12, 7, 1)];
    int source = between(in, 0, KNoteModel.LEVEL_SOURCES - 1);
    int bytes = action == SourceAction.HANG_UP ? 0 : between(in, 1, 4);
    return new SourceStep(action, source, bytes);
  };

  /** A {@code kevent} call three times in four, else a source step. */
  static Gen<Step> step(short level) {
    Gen<Call> call = call(level);
    return in -> weighted(in, 3, 1) == 0 ? call.generate(in) : SOURCE_STEP.generate(in);
  }
}
