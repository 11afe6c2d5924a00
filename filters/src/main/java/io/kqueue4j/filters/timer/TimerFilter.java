package io.kqueue4j.filters.timer;

import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_ERROR;
import static io.kqueue4j.KEvent.EV_FORCEONESHOT;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static io.kqueue4j.KEvent.NOTE_ABSTIME;
import static io.kqueue4j.KEvent.NOTE_MSECONDS;
import static io.kqueue4j.KEvent.NOTE_NSECONDS;
import static io.kqueue4j.KEvent.NOTE_SECONDS;
import static io.kqueue4j.KEvent.NOTE_USECONDS;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.ActivationBatch;
import io.kqueue4j.kernel.EventPump;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.KEventSink;
import io.kqueue4j.kernel.KNote;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code EVFILT_TIMER}: a periodic or one-time timer per knote; see {@code filt_timerattach}, {@code
 * filt_timervalidate}, {@code filt_timerexpire} and {@code filt_timertouch} in FreeBSD's {@code
 * kern_event.c}, whose behaviour this follows.
 *
 * <ul>
 *   <li>{@code ident} is any number; {@code data} is the period, in the unit of {@code fflags}:
 *       {@code NOTE_SECONDS}, {@code NOTE_MSECONDS} (the default, also for no unit), {@code
 *       NOTE_USECONDS} or {@code NOTE_NSECONDS}. A negative period, more than one unit, or any
 *       other {@code fflags} bit than these and {@code NOTE_ABSTIME} fails with {@code EINVAL}; a
 *       period of 0 becomes 1 unless {@code EV_ONESHOT} is set, with which it expires at once.
 *       Periods beyond about 292 years saturate.
 *   <li>{@code NOTE_ABSTIME}: {@code data} is an absolute wall-clock deadline since the Unix epoch,
 *       converted to the monotonic clock at registration (later wall-clock steps do not move it);
 *       such a timer fires once. A deadline in the past fires at once.
 *   <li>{@code EV_CLEAR} is set automatically unless {@code NOTE_ABSTIME} is given. An absolute
 *       timer without {@code EV_CLEAR} stays active after it fired and is returned by every scan
 *       with {@code data} 1, as in FreeBSD.
 *   <li>Delivered {@code data} is the number of expirations since the last delivery, counting
 *       every elapsed period; {@code fflags} is 0. Disabled timers keep counting.
 *   <li>{@code EV_ADD} on an existing timer restarts it with the new {@code data}/{@code fflags}
 *       and discards expirations not yet delivered. If the new values are invalid the timer stops
 *       and the knote is activated with {@code EV_ERROR} and {@code data} = the errno, once. {@code
 *       EV_FORCEONESHOT} makes the timer one-time: its next expiry counts one and stops it. Other
 *       changes ({@code EV_ENABLE}, {@code EV_DISABLE}) leave the timer alone.
 *   <li>At most {@link #maxTimers()} timers exist per filter instance (FreeBSD's {@code
 *       kq_calloutmax}, there 4096 by default, here {@value #DEFAULT_MAX_TIMERS} unless the system
 *       property {@value #MAX_TIMERS_PROPERTY} says otherwise); beyond it attach fails with {@code
 *       ENOMEM}.
 * </ul>
 *
 * <p>Deliberate differences from FreeBSD: when the timer service falls behind by several periods,
 * one expiry counts each elapsed period (FreeBSD's {@code filt_timerexpire} counts one fewer when
 * its callout is late by a whole period); a successful re-add clears an {@code EV_ERROR} left by a
 * failed one (FreeBSD leaves it set for good); timers of stopped processes are not held.
 *
 * <p>All timers of all kqueues share one {@link TimerService}; a timer costs one entry object of 32
 * bytes (with compressed references) and a slot of the service's queue or heap besides its knote.
 */
public final class TimerFilter implements FilterOps {

  /** System property overriding {@link #DEFAULT_MAX_TIMERS}. */
  public static final String MAX_TIMERS_PROPERTY = "io.kqueue4j.timer.max";

  /** The default limit on live timers per filter ({@code kq_calloutmax}): 2^24. */
  public static final int DEFAULT_MAX_TIMERS = 1 << 24;

  /** {@code NOTE_TIMER_PRECMASK}. */
  static final int UNITS = NOTE_SECONDS | NOTE_MSECONDS | NOTE_USECONDS | NOTE_NSECONDS;

  private final TimerService service;
  private final int maxTimers;
  private final AtomicInteger timers = new AtomicInteger();

  /** The filter on the shared real-time {@link TimerService#system()}. */
  public TimerFilter() {
    this(TimerService.system());
  }

  /**
   * A filter on {@code service}, for instance a driven one in tests, allowing as many timers as the
   * system property {@value #MAX_TIMERS_PROPERTY} says, else {@value #DEFAULT_MAX_TIMERS}.
   *
   * @param service the service that times this filter's knotes
   * @throws IllegalArgumentException when the property is a negative number
   */
  public TimerFilter(TimerService service) {
    this(service, Integer.getInteger(MAX_TIMERS_PROPERTY, DEFAULT_MAX_TIMERS));
  }

  /**
   * A filter on {@code service} allowing at most {@code maxTimers} timers.
   *
   * @param service the service that times this filter's knotes
   * @param maxTimers the limit on live timers; attaching one more fails with {@code ENOMEM}
   * @throws IllegalArgumentException when {@code maxTimers} is negative
   */
  public TimerFilter(TimerService service, int maxTimers) {
    if (maxTimers < 0) {
      throw new IllegalArgumentException("maxTimers " + maxTimers + " is negative");
    }
    this.service = service;
    this.maxTimers = maxTimers;
  }

  /**
   * The service that times this filter's knotes.
   *
   * @return the service given at construction, {@link TimerService#system()} by default
   */
  public TimerService service() {
    return service;
  }

  /**
   * The limit on live timers ({@code kq_calloutmax}).
   *
   * @return how many timers may be attached at once
   */
  public int maxTimers() {
    return maxTimers;
  }

  /**
   * The number of attached timers ({@code kq_ncallouts}).
   *
   * @return the timers attached and not yet detached
   */
  public int timers() {
    return timers.get();
  }

  /** {@code filt_timerattach}. */
  @Override
  public void attach(KNote kn) throws KQueueException {
    long nanos = validate(kn, isOneshot(kn));
    if (timers.incrementAndGet() > maxTimers) {
      timers.decrementAndGet();
      throw new KQueueException("kevent", Errno.ENOMEM,
          "EVFILT_TIMER ident " + kn.ident() + ": more than " + maxTimers
              + " timers (raise the limit with -D" + MAX_TIMERS_PROPERTY + ")");
    }
    if ((kn.sfflags() & NOTE_ABSTIME) == 0) {
      kn.addFlags(EV_CLEAR);
    }
    Entry entry = new Entry(kn);
    kn.setHook(entry);
    start(kn, entry, nanos);
    EventPump pump = service.pump();
    if (pump != null) {
      kn.usePump(pump); // the kqueue's callers fire the due timers themselves
    }
  }

  /** {@code filt_timerdetach}. */
  @Override
  public void detach(KNote kn) {
    service.cancel((Entry) kn.hook());
    timers.decrementAndGet();
  }

  /** {@code filt_timer}: true while expirations (or an error) wait to be delivered. */
  @Override
  public boolean event(KNote kn, long hint) {
    return (kn.flags() & EV_ERROR) != 0 || ((Entry) kn.hook()).count() != 0;
  }

  /**
   * {@code filt_timertouch(EVENT_REGISTER)}: only {@code EV_ADD} restarts the timer; {@code
   * EV_FORCEONESHOT} makes it one-time.
   */
  @Override
  public void touch(KNote kn, int flags, int fflags, long data) {
    Entry entry = (Entry) kn.hook();
    if ((flags & EV_ADD) != 0) {
      restart(kn, entry, fflags, data);
    }
    if ((flags & EV_FORCEONESHOT) != 0) {
      // Now oneshot (filt_timerexpire): the next expiry counts one, stops the timer and keeps
      // the knote's data current, which the oneshot delivery copies (an errno stays).
      service.locked(() -> {
        entry.once = true;
        if ((kn.flags() & EV_ERROR) == 0) {
          kn.setData(entry.count());
        }
      });
    }
  }

  /** The timer with new values; undelivered expirations are discarded, a queued event with them. */
  private void restart(KNote kn, Entry entry, int fflags, long data) {
    service.cancel(entry);
    entry.take();
    kn.deactivate();
    kn.clearFlags(EV_ERROR);
    kn.setData(0);
    kn.setSfflags(fflags);
    kn.setSdata(data);
    long nanos;
    try {
      nanos = validate(kn, isOneshot(kn));
    } catch (KQueueException e) {
      kn.addFlags(EV_ERROR);
      kn.setData(e.errno());
      return;
    }
    start(kn, entry, nanos);
  }

  /** {@code filt_timertouch(EVENT_PROCESS)}: the count, reset under {@code EV_CLEAR}. */
  @Override
  public boolean process(KNote kn, KEventSink out) {
    Entry entry = (Entry) kn.hook();
    if ((kn.flags() & EV_ERROR) != 0) {
      kn.deliverTo(out);
      kn.clearFlags(EV_ERROR);
      kn.setData(0);
      return true;
    }
    long count = (kn.flags() & EV_CLEAR) != 0 ? entry.take() : entry.count();
    if (count == 0) {
      return false;
    }
    out.put(kn.ident(), kn.filter(), kn.flags(), kn.fflags(), count, kn.udata());
    return true;
  }

  /**
   * Its process takes the entry's count, which the kqueue's lock guards, and takes no lock; the
   * timer service's lock, which is taken before a kqueue's, is not touched.
   */
  @Override
  public boolean processesUnderKQueueLock() {
    return true;
  }

  private void start(KNote kn, Entry entry, long nanos) {
    if ((kn.sfflags() & NOTE_ABSTIME) != 0) {
      entry.once = true;
      service.schedule(entry, Math.max(0, nanos - service.clock().wallClockNanos()));
    } else {
      entry.once = isOneshot(kn);
      service.schedule(entry, nanos);
    }
  }

  private static boolean isOneshot(KNote kn) {
    return (kn.flags() & EV_ONESHOT) != 0;
  }

  /**
   * {@code filt_timervalidate}: the period (or absolute deadline) in nanoseconds; sets {@code
   * sdata} to 1 for a periodic timer of period 0.
   */
  static long validate(KNote kn, boolean oneshot) throws KQueueException {
    long data = kn.sdata();
    int fflags = kn.sfflags();
    if (data < 0) {
      throw invalid(kn, "negative data " + data);
    }
    if (data == 0 && !oneshot) {
      data = 1;
      kn.setSdata(1);
    }
    if ((fflags & ~(UNITS | NOTE_ABSTIME)) != 0) {
      throw invalid(kn, "fflags 0x" + Integer.toHexString(fflags)
          + " has bits other than NOTE_SECONDS, NOTE_MSECONDS, NOTE_USECONDS, NOTE_NSECONDS"
          + " and NOTE_ABSTIME");
    }
    long nanos = toNanos(data, fflags & UNITS);
    if (nanos < 0) {
      throw invalid(kn, "more than one unit in fflags 0x" + Integer.toHexString(fflags));
    }
    return nanos;
  }

  /** {@code timer2sbintime} in nanoseconds, saturating; -1 for more than one unit. */
  static long toNanos(long data, int unit) {
    switch (unit) {
      case NOTE_SECONDS:
        return TimerService.saturatedMultiply(data, 1_000_000_000L);
      case 0:
      case NOTE_MSECONDS:
        return TimerService.saturatedMultiply(data, 1_000_000L);
      case NOTE_USECONDS:
        return TimerService.saturatedMultiply(data, 1_000L);
      case NOTE_NSECONDS:
        return data;
      default:
        return -1;
    }
  }

  private static KQueueException invalid(KNote kn, String detail) {
    return new KQueueException("kevent", Errno.EINVAL, "EVFILT_TIMER ident " + kn.ident() + ": " + detail);
  }

  @Override
  public String toString() {
    return "TimerFilter[" + service + ", timers=" + timers.get() + "/" + maxTimers + "]";
  }

  /**
   * The per-knote state ({@code struct kq_timer_cb_data}): the heap entry and the count of
   * expirations not yet delivered, which the timer thread adds to and {@link #process} takes.
   */
  static final class Entry extends TimerService.Timer {
    private static final VarHandle COUNT;

    static {
      try {
        COUNT = MethodHandles.lookup().findVarHandle(Entry.class, "count", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final KNote kn;
    /**
     * Expirations since the last delivery. Written under the kqueue's lock (an expiry holds it
     * through its activation batch, {@code process} runs under it) or while neither can run (a
     * restart: the timer is cancelled and the knote in flux); read with acquire loads.
     */
    private long count;
    /**
     * Fires once (oneshot or absolute); set before scheduling, or under the service's lock by
     * {@code EV_FORCEONESHOT}, and read under that lock.
     */
    boolean once;

    Entry(KNote kn) {
      this.kn = kn;
    }

    long count() {
      return (long) COUNT.getAcquire(this);
    }

    /** Takes the count; under the kqueue's lock, or while no expiry can run. */
    long take() {
      long taken = count;
      if (taken != 0) {
        COUNT.setRelease(this, 0L);
      }
      return taken;
    }

    /**
     * The period from the knote's {@code sdata} and unit, which the filter changes only while the
     * timer is cancelled, so the service's lock orders those writes before this read.
     */
    @Override
    long period() {
      return once ? 0 : toNanos(kn.sdata(), kn.sfflags() & UNITS);
    }

    /** Without reading the knote, which the expiry would otherwise load for the period alone. */
    @Override
    long periodInQueue(long queued) {
      return once ? 0 : queued;
    }

    /**
     * {@code filt_timerexpire}: {@code kn_data += count}, then activate. Called with the service's
     * lock held, so never after {@link TimerService#cancel} returned.
     */
    @Override
    void expired(long expirations, ActivationBatch activations) {
      activations.enter(kn); // the kqueue's lock, which guards the count
      long before = count;
      COUNT.setRelease(this, before + expirations);
      if (once) {
        kn.setData(before + expirations); // a oneshot is delivered from the knote's own kevent
      }
      if (before == 0) {
        activations.activate(kn);
      }
    }
  }
}
