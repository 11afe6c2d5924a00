package io.kqueue4j.reliability;

import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DISPATCH;
import static io.kqueue4j.KEvent.EV_ENABLE;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.KEventSink;
import io.kqueue4j.kernel.KNote;
import io.kqueue4j.kernel.KNoteList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test filter whose knotes count the posts they see, so that a stress run can account for every
 * one. Ident {@code i} attaches to source list {@code i}; a source thread calls {@link #post}.
 *
 * <p>Each attached knote is an {@link Instance} with a unique id. A post with a non-zero hint is
 * the knote's next sequence number ({@code observed}). An event carries the range of sequence
 * numbers it reports: {@code data = id << 32 | to} and {@code fflags = to - from}, the number of
 * posts coalesced into it; with {@code EV_CLEAR} the next event starts where this one ended,
 * without it every event reports from 0 (level-triggered). The same values are kept in the knote's
 * kevent fields, so a oneshot delivery, which copies them without calling {@link #process},
 * reports the same way.
 *
 * <p>The filter also checks the kernel's side of the {@link FilterOps} contract and records every
 * breach in {@link #violations}: no two calls at once on one knote, nothing after {@code detach},
 * {@code detach} once, and no second {@code process} delivery of an {@code EV_DISPATCH} knote
 * without an {@code EV_ENABLE} in between.
 */
final class CountingSourceFilter implements FilterOps {

  /** One knote's life, from attach to detach; fields guarded by the knote's list lock. */
  static final class Instance {
    final long id;
    final long ident;
    final int flags;
    final AtomicBoolean busy = new AtomicBoolean();
    long observed;
    long reportedUpto;
    long processed;
    boolean armed = true;
    volatile boolean detached;
    long observedAtDetach = -1;
    int enables;

    Instance(long id, long ident, int flags) {
      this.id = id;
      this.ident = ident;
      this.flags = flags;
    }

    @Override
    public String toString() {
      return "instance " + id + " (ident " + ident + ", flags " + io.kqueue4j.KEvent.flagNames(flags)
          + ", observed " + observed + ", reported " + reportedUpto + ", processed " + processed
          + (detached ? ", detached at " + observedAtDetach : ", attached") + ")";
    }
  }

  final KNoteList[] sources;
  final ConcurrentLinkedQueue<Instance> instances = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
  private final AtomicLong ids = new AtomicLong();
  /** Throw from the named method ("attach", "touch", "event", "process", "detach") when set. */
  volatile String failIn;
  /** What to throw when {@link #failIn} matches. */
  volatile RuntimeException failure = new IllegalStateException("injected filter failure");
  volatile Error error;

  CountingSourceFilter(int sources) {
    this.sources = new KNoteList[sources];
    for (int i = 0; i < sources; i++) {
      this.sources[i] = new KNoteList();
    }
  }

  static long encode(long id, long to) {
    return id << 32 | to;
  }

  static long instanceOf(long data) {
    return data >>> 32;
  }

  static long to(long data) {
    return data & 0xFFFF_FFFFL;
  }

  /** {@code KNOTE(source, 1)}: one post to every knote on source {@code i}. */
  void post(int i) {
    sources[i].post(1);
  }

  private void maybeFail(String method) {
    if (method.equals(failIn)) {
      Error e = error;
      if (e != null) {
        throw e;
      }
      throw failure;
    }
  }

  private Instance enter(KNote kn, String method) {
    Instance in = (Instance) kn.hook();
    if (!in.busy.compareAndSet(false, true)) {
      violations.add(method + " while another call runs on " + in);
    }
    if (in.detached && !method.equals("detach")) {
      violations.add(method + " after detach of " + in);
    }
    return in;
  }

  private static void exit(Instance in) {
    in.busy.set(false);
  }

  @Override
  public void attach(KNote kn) throws KQueueException {
    maybeFail("attach");
    if (kn.ident() < 0 || kn.ident() >= sources.length) {
      throw new KQueueException("kevent", Errno.EINVAL, "no source " + kn.ident());
    }
    Instance in = new Instance(ids.incrementAndGet(), kn.ident(), kn.flags());
    kn.setHook(in);
    kn.setData(encode(in.id, 0));
    kn.setFflags(0);
    instances.add(in);
    sources[(int) kn.ident()].add(kn);
  }

  @Override
  public void detach(KNote kn) {
    Instance in = enter(kn, "detach");
    try {
      if (in.detached) {
        violations.add("detach twice of " + in);
      }
      in.observedAtDetach = in.observed;
      in.detached = true;
      sources[(int) kn.ident()].remove(kn);
      maybeFail("detach");
    } finally {
      exit(in);
    }
  }

  @Override
  public boolean event(KNote kn, long hint) {
    Instance in = enter(kn, "event");
    try {
      if (hint != 0) {
        in.observed++;
        kn.setData(encode(in.id, in.observed));
        kn.setFflags((int) (in.observed - in.reportedUpto));
      }
      maybeFail("event");
      return in.observed > in.reportedUpto;
    } finally {
      exit(in);
    }
  }

  @Override
  public void touch(KNote kn, int flags, int fflags, long data) {
    Instance in = enter(kn, "touch");
    try {
      if ((flags & EV_ENABLE) != 0) {
        in.armed = true;
        in.enables++;
      }
      maybeFail("touch");
    } finally {
      exit(in);
    }
  }

  @Override
  public boolean process(KNote kn, KEventSink out) {
    Instance in = enter(kn, "process");
    try {
      maybeFail("process");
      if (in.observed == in.reportedUpto) {
        return false;
      }
      if ((kn.flags() & EV_DISPATCH) != 0) {
        if (!in.armed) {
          violations.add("EV_DISPATCH knote delivered again without EV_ENABLE: " + in);
        }
        in.armed = false;
      }
      in.processed++;
      out.put(kn.ident(), kn.filter(), kn.flags(), (int) (in.observed - in.reportedUpto),
          encode(in.id, in.observed), kn.udata());
      if ((kn.flags() & EV_CLEAR) != 0) {
        in.reportedUpto = in.observed;
        kn.setFflags(0);
      }
      return true;
    } finally {
      exit(in);
    }
  }

  List<Instance> instances() {
    return List.copyOf(instances);
  }
}
