package io.kqueue4j.reliability;

import static io.kqueue4j.KEvent.EVFILT_AIO;
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
import static io.kqueue4j.KEvent.EV_SYSFLAGS;
import static io.kqueue4j.KEvent.NOTE_FFAND;
import static io.kqueue4j.KEvent.NOTE_FFCOPY;
import static io.kqueue4j.KEvent.NOTE_FFCTRLMASK;
import static io.kqueue4j.KEvent.NOTE_FFLAGSMASK;
import static io.kqueue4j.KEvent.NOTE_FFOR;
import static io.kqueue4j.KEvent.NOTE_LOWAT;
import static io.kqueue4j.KEvent.NOTE_TRIGGER;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A sequential reference model of {@code kevent(2)} for two filters, written from the rules (modern
 * FreeBSD plus the deliberate differences in {@code docs/semantics.md}), not from the kernel's code:
 * a map of knotes with plain fields and a list for the active queue.
 *
 * <ul>
 *   <li>{@code EVFILT_USER}: triggered by {@code NOTE_TRIGGER}, the 24-bit value and data delivered
 *       as {@code fflags} and {@code data}.
 *   <li>The level source of {@link LevelSourceFilter} (filter id given at construction), a model of
 *       a FreeBSD socket's read side: ident {@code i} watches source {@code i}, whose {@link #write}
 *       adds bytes and posts, {@link #read} consumes bytes without posting, and {@link #hangUp} ends
 *       the stream and posts. The condition is re-checked at every post, registration and delivery:
 *       {@code data} = bytes available, true when at least the low-water mark is available ({@code
 *       NOTE_LOWAT}: {@code max(1, sdata)}, else 1) or after a hang-up, which sets {@code EV_EOF}.
 *       So bytes consumed before a scan mean no delivery, and {@code EV_CLEAR} waits for the next
 *       post. Ident {@value #LEVEL_SOURCES} and above fail to attach with {@code EINVAL}.
 * </ul>
 *
 * <p>It also knows {@code EVFILT_AIO}, whose attach always fails with {@code ENXIO}, to cover the
 * attach-error path, and treats every other non-zero filter as unknown ({@code EINVAL}); callers
 * only generate filters 0, the two above, {@code EVFILT_AIO} and invalid ones.
 *
 * <p>Where the rules leave a choice, the model follows what the project decided:
 *
 * <ul>
 *   <li>{@code NOTE_TRIGGER} with {@code EV_ADD} triggers (D12); the value stored at {@code EV_ADD}
 *       is the change's low 24 bits, 0 for {@code NOTE_FFAND}.
 *   <li>Every non-delete change runs the filter's touch (user: sfflags op, {@code sdata = data},
 *       {@code EV_CLEAR} un-triggers; level: new {@code sfflags}/{@code sdata}, so a new low-water
 *       mark) and replaces udata unless {@code EV_KEEPUDATA} (D16).
 *   <li>{@code EV_FORCEONESHOT} on an existing knote sets {@code EV_ONESHOT} and activates the knote
 *       after {@code EV_ENABLE}/{@code EV_DISABLE} of the same change are applied (FreeBSD
 *       activates first, which differs only in where a knote disabled by that same change sits in
 *       the queue once re-enabled).
 *   <li>A knote disabled while queued keeps its place in the queue until a scan passes it (FreeBSD's
 *       stale queue entry), so re-enabling it before that scan keeps its original position. A post
 *       to a disabled knote re-checks it and activates it without queueing it.
 *   <li>Oneshot knotes are delivered without re-checking the condition (D4), from the knote's stored
 *       fields; for user knotes those are the stored fflags and data (deliberate difference 5).
 * </ul>
 */
final class KNoteModel {
  /** Sources of the level filter: idents 0 to this minus 1. */
  static final int LEVEL_SOURCES = 5;

  private static final int ACTIONS = EV_ADD | EV_DELETE | EV_ENABLE | EV_DISABLE | EV_FORCEONESHOT;

  /**
   * A rule the model can be told to get wrong, so that a test can show that the comparison finds
   * the difference and the shrinking reduces it to a minimal sequence, as it would for the same bug
   * in the kernel.
   */
  enum BrokenRule {
    /** An {@code EV_DISPATCH} knote stays enabled after its delivery. */
    DISPATCH_DOES_NOT_DISABLE,
    /** A delivered {@code EV_ONESHOT} knote of the level filter stays registered. */
    LEVEL_ONESHOT_NOT_DROPPED
  }

  /** One knote's state; every field is observable through some later event. */
  static final class Knote {
    final long ident;
    final short filter;
    int flags;
    int fflags;
    long data;
    int sfflags;
    long sdata;
    Object udata;
    /** User knotes only: triggered and not yet cleared. */
    boolean triggered;
    boolean active;
    boolean queued;
    boolean disabled;

    Knote(long ident, short filter) {
      this.ident = ident;
      this.filter = filter;
    }

    /** The stored kevent, which a oneshot delivery reports. */
    KEvent event() {
      return new KEvent(ident, filter, flags, fflags, data, udata);
    }

    @Override
    public String toString() {
      return "{" + ident + " " + KEvent.filterName(filter) + " flags=" + KEvent.flagNames(flags)
          + (filter == EVFILT_USER ? " trig=" + triggered : " data=" + data) + " sfflags=0x"
          + Integer.toHexString(sfflags) + " sdata=" + sdata + " udata=" + udata
          + (active ? " ACTIVE" : "") + (queued ? " QUEUED" : "") + (disabled ? " DISABLED" : "")
          + "}";
    }
  }

  private record Key(short filter, long ident) {}

  /** What one {@code kevent} call did: a count or an errno, and the event list afterwards. */
  record Outcome(int count, int errno, KEvent[] eventlist) {
    static Outcome returned(int count, KEvent[] eventlist) {
      return new Outcome(count, 0, eventlist);
    }

    static Outcome thrown(int errno, KEvent[] eventlist) {
      return new Outcome(-1, errno, eventlist);
    }
  }

  private final short level;
  private final Set<BrokenRule> broken;
  private final Map<Key, Knote> knotes = new LinkedHashMap<>();
  /** The active queue, stale entries of disabled knotes included. */
  private final List<Knote> queue = new ArrayList<>();
  private final long[] available = new long[LEVEL_SOURCES];
  private final boolean[] hungUp = new boolean[LEVEL_SOURCES];

  /**
   * A model with no knotes and every level source empty and open.
   *
   * @param level the filter id of the level source
   * @param broken the rules to get wrong, normally none
   */
  KNoteModel(short level, Set<BrokenRule> broken) {
    this.level = level;
    this.broken = broken.isEmpty() ? EnumSet.noneOf(BrokenRule.class) : EnumSet.copyOf(broken);
  }

  int size() {
    return knotes.size();
  }

  // ------------------------------------------------------------------ the level sources

  /** {@code n} bytes arrive at source {@code i}, which posts; nothing arrives after a hang-up. */
  void write(int i, long n) {
    if (!hungUp[i]) {
      available[i] += n;
      post(i);
    }
  }

  /** The reader consumes up to {@code n} bytes of source {@code i}; no post. */
  void read(int i, long n) {
    available[i] -= Math.min(n, available[i]);
  }

  /** Source {@code i} ends its stream (for good) and posts. */
  void hangUp(int i) {
    hungUp[i] = true;
    post(i);
  }

  /** {@code KNOTE}: re-checks the knote on source {@code i}, activating it when true. */
  private void post(int i) {
    Knote kn = knotes.get(new Key(level, i));
    if (kn != null && event(kn)) {
      kn.active = true;
      if (!kn.queued && !kn.disabled) {
        kn.queued = true;
        queue.add(kn);
      }
    }
  }

  // ------------------------------------------------------------------ kevent

  /**
   * {@code kevent(changelist, nchanges, eventlist, nevents, ZERO)} with an event list of {@code
   * capacity} entries initially null.
   */
  Outcome kevent(KEvent[] changelist, int nchanges, int capacity, int nevents) {
    KEvent[] out = new KEvent[capacity];
    int length = changelist == null ? 0 : changelist.length;
    if (nchanges < 0 || nchanges > length || nevents < 0 || nevents > capacity) {
      return Outcome.thrown(Errno.EINVAL, out);
    }
    int nerrors = 0;
    for (int i = 0; i < nchanges; i++) {
      KEvent change = changelist[i];
      if (change == null) {
        return Outcome.thrown(Errno.EFAULT, out);
      }
      if (change.filter() == 0) {
        continue;
      }
      int flags = change.flags() & 0xFFFF & ~EV_SYSFLAGS;
      int[] echoed = {change.fflags()};
      int errno = register(change, flags, echoed);
      if (errno == 0 && (flags & EV_RECEIPT) == 0) {
        continue;
      }
      if (nevents == 0) {
        return errno != 0 ? Outcome.thrown(errno, out) : Outcome.returned(nerrors, out);
      }
      out[nerrors++] =
          new KEvent(change.ident(), change.filter(), EV_ERROR, echoed[0], errno, change.udata());
      nevents--;
    }
    if (nerrors > 0) {
      return Outcome.returned(nerrors, out);
    }
    return Outcome.returned(scan(out, nevents), out);
  }

  /** {@code kqueue_register}: 0 or an errno; {@code echoed[0]} becomes 0 for attach errors. */
  private int register(KEvent change, int flags, int[] echoed) {
    if ((flags & (EV_ENABLE | EV_DISABLE)) == (EV_ENABLE | EV_DISABLE)) {
      return Errno.EINVAL;
    }
    short filter = change.filter();
    if (filter == EVFILT_AIO) {
      if ((flags & EV_ADD) == 0) {
        return Errno.ENOENT;
      }
      echoed[0] = 0;
      return Errno.ENXIO;
    }
    if (filter != EVFILT_USER && filter != level) {
      return Errno.EINVAL;
    }
    Key key = new Key(filter, change.ident());
    Knote kn = knotes.get(key);
    if (kn == null) {
      if ((flags & EV_ADD) == 0) {
        return Errno.ENOENT;
      }
      kn = new Knote(change.ident(), filter);
      kn.flags = flags & ~ACTIONS;
      kn.sfflags = change.fflags();
      kn.sdata = change.data();
      kn.udata = change.udata();
      kn.disabled = (flags & EV_DISABLE) != 0;
      if (filter == level && (kn.ident < 0 || kn.ident >= LEVEL_SOURCES)) {
        echoed[0] = 0;
        return Errno.EINVAL;
      }
      attach(kn);
      knotes.put(key, kn);
      evaluate(kn, false);
      return 0;
    }
    if ((flags & EV_DELETE) != 0) {
      knotes.remove(key);
      queue.remove(kn);
      return 0;
    }
    if ((flags & EV_ENABLE) != 0) {
      kn.disabled = false;
    } else if ((flags & EV_DISABLE) != 0) {
      kn.disabled = true;
    }
    if ((flags & EV_KEEPUDATA) == 0) {
      kn.udata = change.udata();
    }
    touch(kn, flags, change.fflags(), change.data());
    boolean force = (flags & EV_FORCEONESHOT) != 0;
    if (force) {
      kn.flags |= EV_ONESHOT;
    }
    evaluate(kn, force);
    return 0;
  }

  /** The filter's attach of a new knote: user knotes take their value and trigger from it. */
  private static void attach(Knote kn) {
    if (kn.filter == EVFILT_USER) {
      int input = kn.sfflags;
      kn.triggered = (input & NOTE_TRIGGER) != 0;
      kn.sfflags = (input & NOTE_FFCTRLMASK) == NOTE_FFAND ? 0 : input & NOTE_FFLAGSMASK;
      kn.fflags = kn.sfflags;
      kn.data = kn.sdata;
    }
  }

  /** The filter's touch of an existing knote by a non-delete change. */
  private static void touch(Knote kn, int flags, int fflags, long data) {
    if (kn.filter != EVFILT_USER) {
      kn.sfflags = fflags;
      kn.sdata = data;
      return;
    }
    if ((fflags & NOTE_TRIGGER) != 0) {
      kn.triggered = true;
    }
    int value = fflags & NOTE_FFLAGSMASK;
    switch (fflags & NOTE_FFCTRLMASK) {
      case NOTE_FFAND -> kn.sfflags &= value;
      case NOTE_FFOR -> kn.sfflags |= value;
      case NOTE_FFCOPY -> kn.sfflags = value;
      default -> { }
    }
    kn.sdata = data;
    if ((flags & EV_CLEAR) != 0) {
      kn.triggered = false;
    }
    kn.fflags = kn.sfflags;
    kn.data = kn.sdata;
  }

  /** The condition, re-checked; for the level filter this also records the count and EOF. */
  private boolean event(Knote kn) {
    if (kn.filter == EVFILT_USER) {
      return kn.triggered;
    }
    int i = (int) kn.ident;
    kn.data = available[i];
    if (hungUp[i]) {
      kn.flags |= EV_EOF;
      return true;
    }
    long lowat = (kn.sfflags & NOTE_LOWAT) != 0 ? Math.max(1, kn.sdata) : 1;
    return available[i] >= lowat;
  }

  /** The end of a registration: re-check unless disabled, activate, queue. */
  private void evaluate(Knote kn, boolean force) {
    if ((!kn.disabled && event(kn)) || force) {
      kn.active = true;
    }
    if (kn.active && !kn.disabled && !kn.queued) {
      kn.queued = true;
      queue.add(kn);
    }
  }

  /** Delivery of a queued, enabled, non-oneshot knote: its event, or null when no longer true. */
  private KEvent process(Knote kn) {
    if (!event(kn)) {
      return null;
    }
    if (kn.filter == EVFILT_USER) {
      KEvent ev = new KEvent(kn.ident, kn.filter, kn.flags, kn.sfflags, kn.sdata, kn.udata);
      if ((kn.flags & EV_CLEAR) != 0) {
        kn.triggered = false;
      }
      return ev;
    }
    KEvent ev = kn.event();
    if ((kn.flags & EV_CLEAR) != 0) {
      kn.data = 0;
      kn.fflags = 0;
    }
    return ev;
  }

  /** {@code kqueue_scan} with a zero timeout. */
  private int scan(KEvent[] out, int maxevents) {
    if (maxevents == 0) {
      return 0;
    }
    int n = 0;
    int beforeMarker = queue.size();
    List<Knote> requeued = new ArrayList<>();
    while (n < maxevents && beforeMarker > 0) {
      Knote kn = queue.remove(0);
      beforeMarker--;
      if (kn.disabled) {
        kn.queued = false;
        continue;
      }
      if ((kn.flags & EV_ONESHOT) != 0) {
        out[n++] = kn.event();
        kn.queued = false;
        if (kn.filter == level && broken.contains(BrokenRule.LEVEL_ONESHOT_NOT_DROPPED)) {
          kn.active = false;
        } else {
          knotes.remove(new Key(kn.filter, kn.ident));
        }
        continue;
      }
      KEvent ev = process(kn);
      if (ev == null) {
        kn.queued = false;
        kn.active = false;
        continue;
      }
      out[n++] = ev;
      if ((kn.flags & (EV_CLEAR | EV_DISPATCH)) == 0) {
        requeued.add(kn);
      } else {
        kn.queued = false;
        kn.active = false;
        if ((kn.flags & EV_DISPATCH) != 0
            && !broken.contains(BrokenRule.DISPATCH_DOES_NOT_DISABLE)) {
          kn.disabled = true;
        }
      }
    }
    queue.addAll(requeued);
    return n;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("knotes=").append(knotes.values()).append(" queue=[");
    for (Knote kn : queue) {
      s.append(kn.ident).append(kn.filter == EVFILT_USER ? "u" : "l")
          .append(kn.disabled ? "(stale)" : "").append(' ');
    }
    s.append("] sources=[");
    for (int i = 0; i < LEVEL_SOURCES; i++) {
      s.append(available[i]).append(hungUp[i] ? "/eof " : " ");
    }
    return s.append(']').toString();
  }
}
