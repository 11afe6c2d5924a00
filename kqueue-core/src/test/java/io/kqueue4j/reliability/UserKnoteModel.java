package io.kqueue4j.reliability;

import static io.kqueue4j.KEvent.EVFILT_AIO;
import static io.kqueue4j.KEvent.EVFILT_USER;
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
import static io.kqueue4j.KEvent.NOTE_FFAND;
import static io.kqueue4j.KEvent.NOTE_FFCOPY;
import static io.kqueue4j.KEvent.NOTE_FFCTRLMASK;
import static io.kqueue4j.KEvent.NOTE_FFLAGSMASK;
import static io.kqueue4j.KEvent.NOTE_FFOR;
import static io.kqueue4j.KEvent.NOTE_TRIGGER;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sequential reference model of {@code kevent(2)} for {@code EVFILT_USER} knotes, written from
 * the rules (modern FreeBSD plus the deliberate differences in {@code docs/semantics.md}), not from
 * the kernel's code: a map of knotes with plain fields and a list for the active queue.
 *
 * <p>It knows one more filter, {@code EVFILT_AIO}, whose attach always fails with {@code ENXIO}, to
 * cover the attach-error path, and treats every other non-zero filter as unknown ({@code EINVAL});
 * callers only generate filters 0, {@code EVFILT_USER}, {@code EVFILT_AIO} and invalid ones.
 *
 * <p>Where the rules leave a choice, the model follows what the project decided:
 *
 * <ul>
 *   <li>{@code NOTE_TRIGGER} with {@code EV_ADD} triggers (D12); the value stored at {@code EV_ADD}
 *       is the change's low 24 bits, 0 for {@code NOTE_FFAND}.
 *   <li>Every non-delete change runs the user filter's touch (sfflags op, {@code sdata = data},
 *       {@code EV_CLEAR} un-triggers) and replaces udata unless {@code EV_KEEPUDATA} (D16).
 *   <li>{@code EV_FORCEONESHOT} on an existing knote sets {@code EV_ONESHOT} and activates the knote
 *       after {@code EV_ENABLE}/{@code EV_DISABLE} of the same change are applied (FreeBSD
 *       activates first, which differs only in where a knote disabled by that same change sits in
 *       the queue once re-enabled).
 *   <li>A knote disabled while queued keeps its place in the queue until a scan passes it (FreeBSD's
 *       stale queue entry), so re-enabling it before that scan keeps its original position.
 *   <li>Oneshot knotes are delivered without re-checking the trigger (D4), with the stored fflags and
 *       data (deliberate difference 5).
 * </ul>
 */
final class UserKnoteModel {
  private static final int ACTIONS = EV_ADD | EV_DELETE | EV_ENABLE | EV_DISABLE | EV_FORCEONESHOT;

  /** One knote's state; every field is observable through some later event. */
  static final class Knote {
    final long ident;
    int flags;
    boolean triggered;
    int sfflags;
    long sdata;
    Object udata;
    boolean active;
    boolean queued;
    boolean disabled;

    Knote(long ident) {
      this.ident = ident;
    }

    KEvent event() {
      return new KEvent(ident, EVFILT_USER, flags, sfflags, sdata, udata);
    }

    @Override
    public String toString() {
      return "{ident=" + ident + " flags=" + KEvent.flagNames(flags) + " trig=" + triggered
          + " sfflags=0x" + Integer.toHexString(sfflags) + " sdata=" + sdata + " udata=" + udata
          + (active ? " ACTIVE" : "") + (queued ? " QUEUED" : "") + (disabled ? " DISABLED" : "")
          + "}";
    }
  }

  /** What one {@code kevent} call did: a count or an errno, and the event list afterwards. */
  record Outcome(int count, int errno, KEvent[] eventlist) {
    static Outcome returned(int count, KEvent[] eventlist) {
      return new Outcome(count, 0, eventlist);
    }

    static Outcome thrown(int errno, KEvent[] eventlist) {
      return new Outcome(-1, errno, eventlist);
    }
  }

  private final Map<Long, Knote> knotes = new LinkedHashMap<>();
  /** The active queue, stale entries of disabled knotes included. */
  private final List<Knote> queue = new ArrayList<>();

  int size() {
    return knotes.size();
  }

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
    if (filter != EVFILT_USER) {
      return Errno.EINVAL;
    }
    Knote kn = knotes.get(change.ident());
    int fflags = change.fflags();
    if (kn == null) {
      if ((flags & EV_ADD) == 0) {
        return Errno.ENOENT;
      }
      kn = new Knote(change.ident());
      kn.flags = flags & ~ACTIONS;
      kn.sfflags = (fflags & NOTE_FFCTRLMASK) == NOTE_FFAND ? 0 : fflags & NOTE_FFLAGSMASK;
      kn.sdata = change.data();
      kn.udata = change.udata();
      kn.triggered = (fflags & NOTE_TRIGGER) != 0;
      kn.disabled = (flags & EV_DISABLE) != 0;
      knotes.put(kn.ident, kn);
      evaluate(kn, false);
      return 0;
    }
    if ((flags & EV_DELETE) != 0) {
      knotes.remove(kn.ident);
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
    kn.sdata = change.data();
    if ((flags & EV_CLEAR) != 0) {
      kn.triggered = false;
    }
    boolean force = (flags & EV_FORCEONESHOT) != 0;
    if (force) {
      kn.flags |= EV_ONESHOT;
    }
    evaluate(kn, force);
    return 0;
  }

  /** The end of a registration: re-check unless disabled, activate, queue. */
  private void evaluate(Knote kn, boolean force) {
    if ((!kn.disabled && kn.triggered) || force) {
      kn.active = true;
    }
    if (kn.active && !kn.disabled && !kn.queued) {
      kn.queued = true;
      queue.add(kn);
    }
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
        knotes.remove(kn.ident);
        continue;
      }
      if (!kn.triggered) {
        kn.queued = false;
        kn.active = false;
        continue;
      }
      out[n++] = kn.event();
      if ((kn.flags & EV_CLEAR) != 0) {
        kn.triggered = false;
      }
      if ((kn.flags & (EV_CLEAR | EV_DISPATCH)) == 0) {
        requeued.add(kn);
      } else {
        kn.queued = false;
        kn.active = false;
        if ((kn.flags & EV_DISPATCH) != 0) {
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
      s.append(kn.ident).append(kn.disabled ? "(stale)" : "").append(' ');
    }
    return s.append(']').toString();
  }
}
