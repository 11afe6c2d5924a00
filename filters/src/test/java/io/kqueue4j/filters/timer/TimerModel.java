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
import static io.kqueue4j.KEvent.EV_SYSFLAGS;
import static io.kqueue4j.KEvent.NOTE_ABSTIME;
import static io.kqueue4j.KEvent.NOTE_MSECONDS;
import static io.kqueue4j.KEvent.NOTE_NSECONDS;
import static io.kqueue4j.KEvent.NOTE_SECONDS;
import static io.kqueue4j.KEvent.NOTE_USECONDS;
import static io.kqueue4j.filters.timer.TimerService.saturatedAdd;
import static io.kqueue4j.filters.timer.TimerService.saturatedMultiply;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sequential reference model of {@code EVFILT_TIMER} in one kqueue on a manual clock, written
 * from FreeBSD's {@code filt_timer*} rules and the project's documented differences ({@code
 * docs/filters-timer-proc-signal.md}), not from {@link TimerFilter}: per knote a deadline, a period
 * and a count of expirations not yet delivered; a list for the active queue.
 *
 * <ul>
 *   <li>{@code data} is the period in the unit of {@code fflags} (milliseconds without a unit); a
 *       negative period, two units or another bit is {@code EINVAL}; 0 becomes 1 unless {@code
 *       EV_ONESHOT}. With {@code NOTE_ABSTIME} it is a wall-clock deadline, fixed on the monotonic
 *       clock at registration, and the timer fires once. {@code EV_CLEAR} is set unless {@code
 *       NOTE_ABSTIME}.
 *   <li>An expiry adds every period elapsed since the deadline (one for a one-time timer) to the
 *       count and re-arms at the next absolute deadline ({@code next += k * period}); expiries run
 *       in deadline order. A disabled timer keeps counting.
 *   <li>Delivery reports the count in {@code data} with {@code fflags} 0, and resets it under
 *       {@code EV_CLEAR}; without {@code EV_CLEAR} (absolute timers) the event stays active.
 *       Oneshot delivery reports the count at delivery and drops the knote.
 *   <li>{@code EV_ADD} on an existing timer ({@code filt_timertouch}): the knote leaves the active
 *       queue and is inactive, undelivered expirations are discarded, and the timer restarts with
 *       the new values; if they are invalid the timer stops and one {@code EV_ERROR} event with
 *       {@code data} = errno is delivered. Other changes leave the timer alone.
 *   <li>{@code EV_FORCEONESHOT} makes the timer one-time, as {@code EV_ONESHOT} at {@code EV_ADD}
 *       would: its next expiry counts one and stops it. It activates the knote after the rest of
 *       the change (the project's order, see {@code docs/semantics.md}), so with {@code EV_ADD} the
 *       restarted timer is delivered at once; in FreeBSD, which activates first, the restart's
 *       dequeue undoes that activation.
 *   <li>Expirations are counted as the project documents (every elapsed period, where FreeBSD's
 *       late callout counts one fewer).
 * </ul>
 *
 * <p>Timers with equal deadlines expire in an order the model does not fix; those that one expiry
 * queues form a tie group, whose order in a scan's output the model takes from the kernel's output
 * (every scan here is complete: room for every knote).
 */
final class TimerModel {
  static final int UNITS = NOTE_SECONDS | NOTE_MSECONDS | NOTE_USECONDS | NOTE_NSECONDS;
  private static final int ACTIONS = EV_ADD | EV_DELETE | EV_ENABLE | EV_DISABLE | EV_FORCEONESHOT;

  /** One timer knote. */
  static final class Knote {
    final long ident;
    int flags;
    int sfflags;
    long sdata;
    Object udata;
    boolean active;
    boolean queued;
    boolean disabled;
    /** Queued by one expiry together with others of the same deadline; 0 when not. */
    long tie;
    /** The errno of a failed re-add, delivered once; 0 when none. */
    int error;
    long count;
    boolean scheduled;
    long deadline;
    /** 0 for a one-time timer. */
    long period;

    Knote(long ident) {
      this.ident = ident;
    }

    @Override
    public String toString() {
      return "{" + ident + " flags=" + KEvent.flagNames(flags) + " count=" + count
          + (error != 0 ? " error=" + error : "")
          + (scheduled ? " due@" + deadline + (period > 0 ? " every " + period : " once") : "")
          + (active ? " ACTIVE" : "") + (queued ? " QUEUED" : "") + (disabled ? " DISABLED" : "")
          + (tie != 0 ? " tie" + tie : "") + "}";
    }
  }

  /** What one {@code kevent} call did: a count or an errno, and the event list afterwards. */
  record Outcome(int count, int errno, KEvent[] eventlist) {}

  private final Map<Long, Knote> knotes = new LinkedHashMap<>();
  private final List<Knote> queue = new ArrayList<>();
  /** Nanoseconds since the timer service was created, and the wall clock. */
  private long now;
  private long wall;
  private long ties;

  TimerModel(long wall) {
    this.wall = wall;
  }

  int size() {
    return knotes.size();
  }

  long wall() {
    return wall;
  }

  /** How many timers are scheduled. */
  int scheduled() {
    return (int) knotes.values().stream().filter(kn -> kn.scheduled).count();
  }

  /** Nanoseconds to the earliest deadline, 0 when overdue, -1 when none is scheduled. */
  long nextDelay() {
    return knotes.values().stream().filter(kn -> kn.scheduled)
        .mapToLong(kn -> Math.max(0, kn.deadline - now)).min().orElse(-1);
  }

  /** The wall clock alone moves, forward or back. */
  void stepWallClock(long nanos) {
    wall += nanos;
  }

  /** Both clocks move forward by {@code nanos}; then every due timer expires. */
  int advance(long nanos) {
    now += nanos;
    wall += nanos;
    List<Knote> due = new ArrayList<>();
    for (Knote kn : knotes.values()) {
      if (kn.scheduled && kn.deadline <= now) {
        due.add(kn);
      }
    }
    due.sort(Comparator.comparingLong(kn -> kn.deadline));
    long[] deadlines = due.stream().mapToLong(kn -> kn.deadline).toArray();
    for (int i = 0; i < due.size(); i++) {
      Knote kn = due.get(i);
      long deadline = deadlines[i];
      boolean tied = i > 0 && deadlines[i - 1] == deadline
          || i + 1 < due.size() && deadlines[i + 1] == deadline;
      if (i == 0 || deadlines[i - 1] != deadline) {
        ties++; // the tie group of this deadline
      }
      long before = kn.count;
      if (kn.period > 0) {
        long elapsed = (now - deadline) / kn.period + 1;
        kn.count += elapsed;
        kn.deadline = saturatedAdd(deadline, saturatedMultiply(elapsed, kn.period));
      } else {
        kn.count++;
        kn.scheduled = false;
      }
      if (before == 0) {
        kn.active = true;
        if (!kn.queued && !kn.disabled) {
          enqueue(kn);
          kn.tie = tied ? ties : 0;
        }
      }
    }
    return due.size();
  }

  private void enqueue(Knote kn) {
    kn.queued = true;
    kn.tie = 0;
    queue.add(kn);
  }

  private void dequeue(Knote kn) {
    if (kn.queued) {
      queue.remove(kn);
      kn.queued = false;
      kn.tie = 0;
    }
  }

  // ------------------------------------------------------------------ kevent

  /**
   * {@code kevent(changes, eventlist of capacity entries, ZERO)}; {@code kernelOutput} is what the
   * kernel returned for the same call, consulted only to order the members of a tie group.
   */
  Outcome kevent(KEvent[] changes, int capacity, KEvent[] kernelOutput) {
    KEvent[] out = new KEvent[capacity];
    int nevents = capacity;
    int nerrors = 0;
    for (KEvent change : changes) {
      int flags = change.flags() & 0xFFFF & ~EV_SYSFLAGS;
      int[] echoed = {change.fflags()};
      int errno = register(change, flags, echoed);
      if (errno == 0 && (flags & EV_RECEIPT) == 0) {
        continue;
      }
      if (nevents == 0) {
        return errno != 0 ? new Outcome(-1, errno, out) : new Outcome(nerrors, 0, out);
      }
      out[nerrors++] = new KEvent(change.ident(), change.filter(), EV_ERROR, echoed[0], errno,
          change.udata());
      nevents--;
    }
    if (nerrors > 0) {
      return new Outcome(nerrors, 0, out);
    }
    return new Outcome(scan(out, nevents, kernelOutput), 0, out);
  }

  private int register(KEvent change, int flags, int[] echoed) {
    if ((flags & (EV_ENABLE | EV_DISABLE)) == (EV_ENABLE | EV_DISABLE)) {
      return Errno.EINVAL;
    }
    Knote kn = knotes.get(change.ident());
    if (kn == null) {
      if ((flags & EV_ADD) == 0) {
        return Errno.ENOENT;
      }
      kn = new Knote(change.ident());
      kn.flags = flags & ~ACTIONS;
      kn.sfflags = change.fflags();
      kn.sdata = change.data();
      kn.udata = change.udata();
      kn.disabled = (flags & EV_DISABLE) != 0;
      int errno = start(kn);
      if (errno != 0) {
        echoed[0] = 0;
        return errno;
      }
      if ((kn.sfflags & NOTE_ABSTIME) == 0) {
        kn.flags |= EV_CLEAR;
      }
      knotes.put(kn.ident, kn);
      evaluate(kn, false);
      return 0;
    }
    if ((flags & EV_DELETE) != 0) {
      knotes.remove(kn.ident);
      dequeue(kn);
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
    if ((flags & EV_ADD) != 0) {
      dequeue(kn);
      kn.active = false;
      kn.count = 0;
      kn.sfflags = change.fflags();
      kn.sdata = change.data();
      kn.error = start(kn);
    }
    boolean force = (flags & EV_FORCEONESHOT) != 0;
    if (force) {
      kn.flags |= EV_ONESHOT;
      kn.period = 0;
    }
    evaluate(kn, force);
    return 0;
  }

  /** {@code filt_timervalidate} and {@code filt_timerstart}: 0, or the errno and stopped. */
  private int start(Knote kn) {
    kn.scheduled = false;
    boolean once = (kn.flags & EV_ONESHOT) != 0;
    if (kn.sdata < 0 || (kn.sfflags & ~(UNITS | NOTE_ABSTIME)) != 0
        || Integer.bitCount(kn.sfflags & UNITS) > 1) {
      return Errno.EINVAL;
    }
    if (kn.sdata == 0 && !once) {
      kn.sdata = 1;
    }
    long nanos = switch (kn.sfflags & UNITS) {
      case NOTE_SECONDS -> saturatedMultiply(kn.sdata, 1_000_000_000L);
      case NOTE_USECONDS -> saturatedMultiply(kn.sdata, 1_000L);
      case NOTE_NSECONDS -> kn.sdata;
      default -> saturatedMultiply(kn.sdata, 1_000_000L);
    };
    long delay;
    if ((kn.sfflags & NOTE_ABSTIME) != 0) {
      kn.period = 0;
      delay = Math.max(0, nanos - wall);
    } else {
      kn.period = once ? 0 : nanos;
      delay = nanos;
    }
    kn.scheduled = true;
    kn.deadline = saturatedAdd(now, delay);
    return 0;
  }

  /** The end of a registration: re-check unless disabled, activate, queue. */
  private void evaluate(Knote kn, boolean force) {
    if ((!kn.disabled && (kn.error != 0 || kn.count != 0)) || force) {
      kn.active = true;
    }
    if (kn.active && !kn.disabled && !kn.queued) {
      enqueue(kn);
    }
  }

  private KEvent event(Knote kn, long data) {
    return new KEvent(kn.ident, EVFILT_TIMER, kn.flags | (kn.error != 0 ? EV_ERROR : 0), 0, data,
        kn.udata);
  }

  /** {@code kqueue_scan}, always with room for every knote. */
  private int scan(KEvent[] out, int maxevents, KEvent[] kernelOutput) {
    if (maxevents == 0) {
      return 0;
    }
    if (maxevents < knotes.size()) {
      throw new IllegalArgumentException("the timer model needs room for every knote");
    }
    orderTies(kernelOutput);
    int n = 0;
    List<Knote> requeued = new ArrayList<>();
    List<Knote> passing = new ArrayList<>(queue);
    queue.clear();
    for (Knote kn : passing) {
      kn.queued = false;
      kn.tie = 0;
      if (kn.disabled) {
        continue;
      }
      if ((kn.flags & EV_ONESHOT) != 0) {
        out[n++] = event(kn, kn.error != 0 ? kn.error : kn.count);
        knotes.remove(kn.ident);
        continue;
      }
      if (kn.error == 0 && kn.count == 0) {
        kn.active = false;
        continue;
      }
      boolean error = kn.error != 0;
      out[n++] = event(kn, error ? kn.error : kn.count);
      kn.error = 0;
      if ((kn.flags & EV_CLEAR) != 0) {
        kn.count = 0;
      }
      if (!error && (kn.flags & (EV_CLEAR | EV_DISPATCH)) == 0) {
        requeued.add(kn);
      } else {
        kn.active = false;
        if ((kn.flags & EV_DISPATCH) != 0) {
          kn.disabled = true;
        }
      }
    }
    for (Knote kn : requeued) {
      enqueue(kn);
    }
    return n;
  }

  /** Puts each tie group of the queue in the order its members appear in the kernel's output. */
  private void orderTies(KEvent[] kernelOutput) {
    List<Long> order = new ArrayList<>();
    for (KEvent ev : kernelOutput) {
      if (ev != null) {
        order.add(ev.ident());
      }
    }
    Comparator<Knote> byKernel = Comparator.comparingInt(kn -> {
      int at = order.indexOf(kn.ident);
      return at < 0 ? Integer.MAX_VALUE : at;
    });
    for (int from = 0; from < queue.size(); ) {
      int to = from + 1;
      long tie = queue.get(from).tie;
      while (tie != 0 && to < queue.size() && queue.get(to).tie == tie) {
        to++;
      }
      queue.subList(from, to).sort(byKernel);
      from = to;
    }
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("now=").append(now).append(" knotes=")
        .append(knotes.values()).append(" queue=[");
    for (Knote kn : queue) {
      s.append(kn.ident).append(kn.disabled ? "(stale) " : " ");
    }
    return s.append(']').toString();
  }
}
