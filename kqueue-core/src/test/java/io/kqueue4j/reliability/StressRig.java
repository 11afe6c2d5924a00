package io.kqueue4j.reliability;

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
import static io.kqueue4j.KEvent.NOTE_FFCOPY;
import static io.kqueue4j.KEvent.NOTE_FFLAGSMASK;
import static io.kqueue4j.KEvent.NOTE_TRIGGER;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.EmulatedKQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many threads on one emulated kqueue, with every event accounted for.
 *
 * <ul>
 *   <li><b>registrars</b> add (every mode: level, {@code EV_CLEAR}, {@code EV_DISPATCH}, {@code
 *       EV_ONESHOT}, with {@code EV_DISABLE}/{@code EV_RECEIPT}), delete, enable, disable,
 *       force-oneshot and trigger knotes of {@link CountingSourceFilter} (idents 0..5) and of
 *       {@code EVFILT_USER} (idents 200..205), 1 to 3 changes a call, in both call forms, and
 *       collect what their calls return;
 *   <li><b>a poster</b> posts to the six source lists as fast as it can;
 *   <li><b>a trigger thread</b> triggers three permanent {@code EVFILT_USER} knotes (100, 101
 *       {@code EV_CLEAR}; 102 {@code EV_CLEAR|EV_DISPATCH}, re-enabled by each trigger) with its
 *       sequence number in {@code data};
 *   <li><b>scanners</b> poll or wait up to 5 ms with 1 to 16 slots; <b>a waiter</b> waits without
 *       timeout; <b>an interrupter</b> interrupts the waiter whenever it waits, and now and then
 *       any other thread.
 * </ul>
 *
 * <p>Every returned event goes through a per-thread {@link Sink}. {@link #verify()} then proves:
 * each {@code process} delivery of the source filter reached exactly one caller; the ranges of
 * {@code EV_CLEAR} source events tile 0..last without gap or overlap (every post delivered once or
 * coalesced into one later event, the rest discarded only by a drop); level events always report
 * from 0; a knote alive at the end has had its last post delivered; no knote delivered two oneshot
 * events, and every oneshot knote is gone; every udata token of an {@code EV_ONESHOT} or {@code
 * EV_DISPATCH} event (tokens are fresh on every {@code EV_ADD} and {@code EV_ENABLE}) came back at
 * most once; each permanent user knote delivered each trigger number at most once, in increasing
 * order per thread, and its last trigger at the end; the filter saw no contract breach; and {@link
 * EmulatedKQueue#checkInvariants()} holds.
 */
final class StressRig {
  static final int SOURCES = 6;
  static final long[] PERMANENT = {100, 101, 102};
  static final long CHURN_FIRST = 200;
  static final int CHURN_COUNT = 6;
  static final long WAKE = 999;
  private static final int[] MODES = {
    EV_CLEAR, EV_CLEAR | EV_DISPATCH, EV_ONESHOT, EV_ONESHOT | EV_CLEAR, 0, EV_DISPATCH
  };
  private static final int ACTIONS = EV_ADD | EV_DELETE | EV_ENABLE | EV_DISABLE | EV_FORCEONESHOT;

  /** udata that identifies one registration; compared by identity by the kernel. */
  record Token(long id) {}

  final EmulatedKQueue kq;
  final CountingSourceFilter filter;
  final short sourceFilter;
  final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
  final AtomicBoolean stop = new AtomicBoolean();
  /** Set before the test closes the queue: {@code EBADF} then ends a thread instead of failing. */
  volatile boolean closing;

  final AtomicLong tokens = new AtomicLong();
  final AtomicLong posts = new AtomicLong();
  final AtomicLong calls = new AtomicLong();
  final AtomicLong interrupts = new AtomicLong();
  final AtomicLong interruptedReturns = new AtomicLong();
  final long[] lastTrigger = new long[PERMANENT.length];
  private final List<Sink> sinks = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final Semaphore waiterReady = new Semaphore(0);
  private Thread waiter;
  private final long seed;

  StressRig(EmulatedKQueue kq, CountingSourceFilter filter, short sourceFilter, long seed)
      throws KQueueException {
    this.kq = kq;
    this.filter = filter;
    this.sourceFilter = sourceFilter;
    this.seed = seed;
    KEvent[] setup = new KEvent[PERMANENT.length + 1];
    for (int i = 0; i < PERMANENT.length; i++) {
      setup[i] = KEvent.of(PERMANENT[i], EVFILT_USER,
          EV_ADD | EV_CLEAR | (i == 2 ? EV_DISPATCH : 0), 0, 0, null);
    }
    setup[PERMANENT.length] = KEvent.of(WAKE, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, null);
    kq.kevent(setup, null, Duration.ZERO);
  }

  // ---------------------------------------------------------------- threads

  void start(int registrars, int scanners) {
    Random seeds = new Random(seed);
    for (int i = 0; i < registrars; i++) {
      long s = seeds.nextLong();
      threads.add(thread("registrar-" + i, () -> registrar(new Random(s))));
    }
    for (int i = 0; i < scanners; i++) {
      long s = seeds.nextLong();
      threads.add(thread("scanner-" + i, () -> scanner(new Random(s))));
    }
    threads.add(thread("poster", this::poster));
    threads.add(thread("trigger", this::triggers));
    waiter = thread("waiter", this::waiter);
    threads.add(waiter);
    long s = seeds.nextLong();
    threads.add(thread("interrupter", () -> interrupter(new Random(s))));
    threads.forEach(Thread::start);
  }

  private Thread thread(String name, Runnable body) {
    Thread t = new Thread(() -> {
      try {
        body.run();
      } catch (Throwable e) {
        violations.add(Thread.currentThread().getName() + " died: " + e);
        e.printStackTrace();
      }
    }, "stress-" + name);
    t.setDaemon(true);
    return t;
  }

  private Token token() {
    return new Token(tokens.incrementAndGet());
  }

  private KEvent randomChange(Random r) {
    boolean source = r.nextBoolean();
    short filt = source ? sourceFilter : EVFILT_USER;
    long ident = source ? r.nextInt(SOURCES) : CHURN_FIRST + r.nextInt(CHURN_COUNT);
    int k = r.nextInt(100);
    int trigger = !source && r.nextBoolean() ? NOTE_TRIGGER : 0;
    if (k < 30) {
      int flags = EV_ADD | MODES[r.nextInt(MODES.length)];
      flags |= r.nextInt(8) == 0 ? EV_DISABLE : 0;
      flags |= r.nextInt(8) == 0 ? EV_RECEIPT : 0;
      return KEvent.of(ident, filt, flags, trigger, 0, token());
    } else if (k < 40) {
      return KEvent.of(ident, filt, EV_DELETE, 0, 0, null);
    } else if (k < 55) {
      return KEvent.of(ident, filt, EV_ENABLE, trigger, 0, token());
    } else if (k < 65) {
      return KEvent.of(ident, filt, EV_DISABLE | EV_KEEPUDATA, 0, 0, null);
    } else if (k < 68) {
      return KEvent.of(ident, filt, EV_FORCEONESHOT | EV_KEEPUDATA, 0, 0, null);
    }
    return KEvent.of(ident, filt, EV_KEEPUDATA, source ? 0 : NOTE_TRIGGER, 0, null);
  }

  /** Handles a {@code KQueueException}; returns whether the thread should end. */
  private boolean failed(KQueueException e, boolean enoentExpected) {
    if (e.errno() == Errno.EBADF && closing) {
      return true;
    }
    if (!(enoentExpected && e.errno() == Errno.ENOENT)) {
      violations.add(Thread.currentThread().getName() + ": unexpected " + e.getMessage());
    }
    return false;
  }

  private void registrar(Random r) {
    Sink sink = sink();
    while (!stop.get()) {
      if (Thread.interrupted()) {
        interruptedReturns.incrementAndGet();
      }
      KEvent[] changes = new KEvent[1 + r.nextInt(3)];
      for (int i = 0; i < changes.length; i++) {
        changes[i] = randomChange(r);
      }
      calls.incrementAndGet();
      try {
        int mode = r.nextInt(4);
        if (mode == 0) {
          kq.kevent(changes, null, Duration.ZERO);
        } else if (mode == 1) {
          KEventBuffer in = new KEventBuffer(changes.length);
          for (KEvent c : changes) {
            in.add(c.ident(), c.filter(), c.flags(), c.fflags(), c.data(), c.udata());
          }
          KEventBuffer out = new KEventBuffer(r.nextInt(5));
          kq.kevent(in, out, 0);
          for (int i = 0; i < out.size(); i++) {
            sink.accept(out.get(i), true);
          }
        } else {
          KEvent[] out = new KEvent[r.nextInt(5)];
          int n = kq.kevent(changes, out, Duration.ZERO);
          for (int i = 0; i < n; i++) {
            sink.accept(out[i], true);
          }
        }
      } catch (KQueueException e) {
        if (failed(e, true)) {
          return;
        }
      }
    }
  }

  private static final Duration[] SCAN_TIMEOUTS = {
    Duration.ZERO, Duration.ofMillis(1), Duration.ofMillis(5)
  };

  private void scanner(Random r) {
    Sink sink = sink();
    while (!stop.get()) {
      KEvent[] out = new KEvent[1 + r.nextInt(16)];
      calls.incrementAndGet();
      try {
        int n = kq.kevent(null, out, SCAN_TIMEOUTS[r.nextInt(SCAN_TIMEOUTS.length)]);
        for (int i = 0; i < n; i++) {
          sink.accept(out[i], false);
        }
      } catch (KQueueException e) {
        if (failed(e, false)) {
          return;
        }
      }
      if (Thread.interrupted()) {
        interruptedReturns.incrementAndGet();
      }
    }
  }

  private void waiter() {
    Sink sink = sink();
    KEvent[] out = new KEvent[8];
    while (!stop.get()) {
      waiterReady.release();
      calls.incrementAndGet();
      try {
        int n = kq.kevent(null, out, null);
        for (int i = 0; i < n; i++) {
          sink.accept(out[i], false);
        }
      } catch (KQueueException e) {
        if (failed(e, false)) {
          return;
        }
      }
      if (Thread.interrupted()) {
        interruptedReturns.incrementAndGet();
      }
    }
  }

  private void interrupter(Random r) {
    try {
      while (!stop.get()) {
        if (r.nextInt(10) == 0) {
          Thread victim = threads.get(r.nextInt(threads.size()));
          if (victim != Thread.currentThread()) {
            victim.interrupt();
            interrupts.incrementAndGet();
          }
          continue;
        }
        if (!waiterReady.tryAcquire(10, TimeUnit.MILLISECONDS)) {
          continue;
        }
        // Interrupt once the waiter blocks (or promptly gives up if it got events instead).
        for (int spins = 0; spins < 10_000 && !stop.get(); spins++) {
          Thread.State state = waiter.getState();
          if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING) {
            waiter.interrupt();
            interrupts.incrementAndGet();
            break;
          }
          Thread.yield();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void poster() {
    long n = 0;
    while (!stop.get()) {
      filter.post((int) (n % SOURCES));
      if ((++n & 63) == 0) {
        Thread.yield();
      }
    }
    posts.addAndGet(n);
  }

  private void triggers() {
    long[] seq = new long[PERMANENT.length];
    while (!stop.get()) {
      if ((seq[0] & 15) == 0) {
        Thread.yield();
      }
      for (int i = 0; i < PERMANENT.length; i++) {
        long next = seq[i] + 1;
        int flags = EV_KEEPUDATA | (i == 2 ? EV_ENABLE : 0);
        calls.incrementAndGet();
        try {
          kq.kevent(new KEvent[] {KEvent.of(PERMANENT[i], EVFILT_USER, flags,
              NOTE_TRIGGER | NOTE_FFCOPY | (int) (next & NOTE_FFLAGSMASK), next, null)},
              null, Duration.ZERO);
          seq[i] = next;
        } catch (KQueueException e) {
          if (failed(e, false)) {
            System.arraycopy(seq, 0, lastTrigger, 0, seq.length);
            return;
          }
        }
      }
    }
    System.arraycopy(seq, 0, lastTrigger, 0, seq.length);
  }

  // ---------------------------------------------------------------- stopping

  /** Stops every thread and waits for each up to {@code limit}; fails naming any that hangs. */
  void stopAndJoin(Duration limit) throws InterruptedException {
    stop.set(true);
    long deadline = System.nanoTime() + limit.toNanos();
    for (Thread t : threads) {
      if (t == waiter) {
        continue;
      }
      t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
    }
    // The waiter has no timeout: wake it with events until it sees the stop flag.
    while (waiter.isAlive() && System.nanoTime() < deadline) {
      try {
        kq.kevent(new KEvent[] {KEvent.of(WAKE, EVFILT_USER, EV_KEEPUDATA, NOTE_TRIGGER, 0, null)},
            null, Duration.ZERO);
      } catch (KQueueException e) {
        if (!(closing && e.errno() == Errno.EBADF)) {
          violations.add("wake trigger: " + e.getMessage());
        }
      }
      waiter.join(10);
    }
    StringBuilder hung = new StringBuilder();
    for (Thread t : threads) {
      if (t.isAlive()) {
        hung.append("\n").append(t.getName()).append(" is hung in:");
        for (StackTraceElement e : t.getStackTrace()) {
          hung.append("\n    at ").append(e);
        }
      }
    }
    if (hung.length() > 0) {
      throw new AssertionError("threads did not finish within " + limit + hung);
    }
  }

  /** Re-enables every knote with fresh tokens and drains the queue into a sink. */
  void finalDrain() throws KQueueException {
    List<KEvent> enables = new ArrayList<>();
    for (int i = 0; i < SOURCES; i++) {
      enables.add(KEvent.of(i, sourceFilter, EV_ENABLE | EV_RECEIPT, 0, 0, token()));
    }
    for (int i = 0; i < CHURN_COUNT; i++) {
      enables.add(KEvent.of(CHURN_FIRST + i, EVFILT_USER, EV_ENABLE | EV_RECEIPT, 0, 0, token()));
    }
    KEvent[] receipts = new KEvent[enables.size()];
    int n = kq.kevent(enables.toArray(KEvent[]::new), receipts, Duration.ZERO);
    if (n != receipts.length) {
      violations.add("final enable: " + n + " receipts for " + receipts.length + " changes");
    }
    for (int i = 0; i < n; i++) {
      if (receipts[i].flags() != EV_ERROR
          || (receipts[i].data() != 0 && receipts[i].data() != Errno.ENOENT)) {
        violations.add("final enable: " + receipts[i]);
      }
    }
    Sink sink = sink();
    KEvent[] out = new KEvent[4096];
    n = kq.kevent(null, out, Duration.ZERO);
    for (int i = 0; i < n; i++) {
      sink.accept(out[i], false);
    }
    n = kq.kevent(null, out, Duration.ZERO);
    for (int i = 0; i < n; i++) {
      if ((out[i].flags() & (EV_CLEAR | EV_DISPATCH | EV_ONESHOT)) != 0) {
        violations.add("edge-triggered event after the final drain: " + out[i]);
      }
      sink.accept(out[i], false);
    }
  }

  // ---------------------------------------------------------------- accounting

  private Sink sink() {
    Sink s = new Sink();
    sinks.add(s);
    return s;
  }

  /** Per-instance sums of the source events a thread received. */
  static final class Agg {
    long processEvents;
    long oneshotEvents;
    long maxTo;
    long hashFrom;
    long hashTo;
    long coalesced;

    void merge(Agg o) {
      processEvents += o.processEvents;
      oneshotEvents += o.oneshotEvents;
      maxTo = Math.max(maxTo, o.maxTo);
      hashFrom += o.hashFrom;
      hashTo += o.hashTo;
      coalesced += o.coalesced;
    }
  }

  /** A growable list of longs: 8 bytes an entry, for long runs. */
  static final class LongList {
    private long[] values = new long[64];
    private int size;

    void add(long v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    void addAll(LongList other) {
      for (int i = 0; i < other.size; i++) {
        add(other.values[i]);
      }
    }

    /** Sorts the list and returns a value it holds twice, or -1. */
    long firstDuplicate() {
      Arrays.sort(values, 0, size);
      for (int i = 1; i < size; i++) {
        if (values[i] == values[i - 1]) {
          return values[i];
        }
      }
      return -1;
    }

    long max() {
      long max = 0;
      for (int i = 0; i < size; i++) {
        max = Math.max(max, values[i]);
      }
      return max;
    }
  }

  /** SplitMix64's finalizer: sums of it over two multisets agree only if the multisets do. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** What one thread received; used by that thread only, read after it ended. */
  final class Sink {
    final Map<Long, Agg> instances = new HashMap<>();
    final LongList[] permanent = {new LongList(), new LongList(), new LongList()};
    final long[] lastPermanent = new long[PERMANENT.length];
    final LongList onceTokens = new LongList();
    long sourceEvents;
    long userEvents;

    void accept(KEvent ev, boolean errorsExpected) {
      if ((ev.flags() & EV_ERROR) != 0) {
        if (!errorsExpected || (ev.data() != 0 && ev.data() != Errno.ENOENT)) {
          violations.add("unexpected error entry " + ev);
        }
        return;
      }
      if ((ev.flags() & ACTIONS) != 0) {
        violations.add("action flags in an event: " + ev);
      }
      if ((ev.flags() & (EV_ONESHOT | EV_DISPATCH)) != 0 && ev.udata() instanceof Token t) {
        onceTokens.add(t.id());
      }
      if (ev.filter() == sourceFilter) {
        sourceEvents++;
        long to = CountingSourceFilter.to(ev.data());
        long count = Integer.toUnsignedLong(ev.fflags());
        long from = to - count;
        if (from < 0) {
          violations.add("range below 0: " + ev);
        }
        Agg a = instances.computeIfAbsent(CountingSourceFilter.instanceOf(ev.data()), k -> new Agg());
        if ((ev.flags() & EV_ONESHOT) != 0) {
          a.oneshotEvents++;
        } else {
          a.processEvents++;
        }
        a.maxTo = Math.max(a.maxTo, to);
        if ((ev.flags() & EV_CLEAR) != 0) {
          if (count > 0) {
            a.hashFrom += mix(from);
            a.hashTo += mix(to);
            a.coalesced += count - 1;
          }
        } else if (from != 0) {
          violations.add("level-triggered event not from 0: " + ev);
        }
        return;
      }
      if (ev.filter() != EVFILT_USER) {
        violations.add("event of an unknown filter: " + ev);
        return;
      }
      userEvents++;
      for (int i = 0; i < PERMANENT.length; i++) {
        if (ev.ident() == PERMANENT[i]) {
          long v = ev.data();
          if (v <= lastPermanent[i]) {
            violations.add("permanent knote " + PERMANENT[i] + ": trigger " + v + " after "
                + lastPermanent[i] + " in one thread");
          }
          lastPermanent[i] = v;
          permanent[i].add(v);
          if ((ev.fflags() & NOTE_FFLAGSMASK) != (v & NOTE_FFLAGSMASK)) {
            violations.add("fflags do not match data: " + ev);
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- verification

  /** Figures for the report. */
  record Figures(long posts, long observed, long sourceEvents, long userEvents, long coalesced,
      long instances, long calls, long interrupts, long interruptedReturns, long[] lastTrigger) {
    @Override
    public String toString() {
      return String.format("%,d posts reached knotes %,d times; %,d source events (%,d posts"
          + " coalesced), %,d user events; %,d knote instances; %,d kevent calls; %,d interrupts"
          + " (%,d calls returned interrupted); permanent user triggers %s", posts, observed,
          sourceEvents, coalesced, userEvents, instances, calls, interrupts, interruptedReturns,
          Arrays.toString(lastTrigger));
    }
  }

  /**
   * Checks everything (see the class comment) after {@link #stopAndJoin} and, unless the queue was
   * closed, {@link #finalDrain}; {@code alive} says whether attached knotes must have delivered
   * their last post (false when the queue was closed).
   */
  Figures verify(boolean alive) {
    Map<Long, Agg> merged = new HashMap<>();
    LongList[] permanent = {new LongList(), new LongList(), new LongList()};
    LongList once = new LongList();
    long sourceEvents = 0;
    long userEvents = 0;
    long coalesced = 0;
    for (Sink s : sinks) {
      s.instances.forEach((id, a) -> merged.computeIfAbsent(id, k -> new Agg()).merge(a));
      for (int i = 0; i < permanent.length; i++) {
        permanent[i].addAll(s.permanent[i]);
      }
      once.addAll(s.onceTokens);
      sourceEvents += s.sourceEvents;
      userEvents += s.userEvents;
    }
    long duplicate = once.firstDuplicate();
    if (duplicate >= 0) {
      violations.add("udata token " + duplicate + " came back twice in EV_ONESHOT/EV_DISPATCH events");
    }
    long[] lastDelivered = new long[PERMANENT.length];
    for (int i = 0; i < permanent.length; i++) {
      duplicate = permanent[i].firstDuplicate();
      if (duplicate >= 0) {
        violations.add("permanent knote " + PERMANENT[i] + ": trigger " + duplicate
            + " delivered twice");
      }
      lastDelivered[i] = permanent[i].max();
    }
    long observed = 0;
    List<CountingSourceFilter.Instance> all = filter.instances();
    for (CountingSourceFilter.Instance in : all) {
      observed += in.observed;
      Agg a = merged.getOrDefault(in.id, new Agg());
      coalesced += a.coalesced;
      if (a.processEvents != in.processed) {
        violations.add(in + ": the filter delivered " + in.processed + " events, callers got "
            + a.processEvents);
      }
      if (a.oneshotEvents > 1) {
        violations.add(in + ": " + a.oneshotEvents + " oneshot events");
      }
      if (a.oneshotEvents == 1 && !in.detached) {
        violations.add(in + ": delivered as oneshot but still attached");
      }
      if ((in.flags & EV_CLEAR) != 0) {
        if (a.hashFrom + mix(a.maxTo) != a.hashTo + mix(0)) {
          violations.add(in + ": EV_CLEAR ranges do not tile 0.." + a.maxTo
              + " (a post lost, or delivered twice)");
        }
        if (a.oneshotEvents == 0 && a.maxTo != in.reportedUpto) {
          violations.add(in + ": last delivered " + a.maxTo + " but the filter reported up to "
              + in.reportedUpto);
        }
      }
      if (in.detached) {
        if (a.maxTo > in.observedAtDetach) {
          violations.add(in + ": delivered " + a.maxTo + " beyond its detach");
        }
      } else if (!alive) {
        violations.add(in + ": still attached after close");
      } else if (a.maxTo != in.observed) {
        violations.add(in + ": last post " + in.observed + " never delivered (last event "
            + a.maxTo + ")");
      }
    }
    if (alive) {
      for (int i = 0; i < PERMANENT.length; i++) {
        long last = lastDelivered[i];
        if (last != lastTrigger[i]) {
          violations.add("permanent knote " + PERMANENT[i] + ": last trigger " + lastTrigger[i]
              + " but last delivered " + last);
        }
      }
    }
    violations.addAll(filter.violations);
    return new Figures(posts.get(), observed, sourceEvents, userEvents, coalesced, all.size(),
        calls.get(), interrupts.get(), interruptedReturns.get(), lastTrigger.clone());
  }
}
