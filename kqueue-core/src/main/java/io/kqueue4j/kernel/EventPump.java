package io.kqueue4j.kernel;

import io.kqueue4j.spi.InterruptHook;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * An operating-system event source (an epoll instance, say) that the thread about to sleep in
 * {@code kevent} waits on itself, leader/follower style, so that an event reaches that thread with
 * one wake-up instead of two (source thread, then the sleeper).
 *
 * <p>At most one thread polls the {@link Source} at a time: the <em>leader</em>. A thread in {@code
 * kevent} on a kqueue that uses this pump (see {@link KNote#usePump}) leads when nobody does; other
 * sleepers of such kqueues wait on their kqueue as usual and are woken by the leader's dispatch.
 * When no {@code kevent} caller leads, the pump's own thread does, so that events keep reaching
 * knotes (and through them watching kqueues and readiness descriptors) while no thread waits. That
 * thread steps back, without a wake-up per event, while callers come and go: after a caller stops
 * leading it waits {@link #GRACE_NANOS} for the next caller before it polls itself, and when a
 * caller starts waiting while the pump's thread polls, the thread is woken and hands the lead over.
 *
 * <p>While callers keep taking the lead and giving it up, the pump's thread wakes once per grace
 * period to see whether they stopped, and no caller wakes it; only when one lead has lasted a whole
 * grace period does it sleep until that lead ends, and then the caller that ends it wakes it. (A
 * caller that woke it at every release, as a collecting loop does thousands of times a second,
 * cost the thread two wake-ups per grace period and the caller a system call each time.)
 *
 * <p>Thread-safe. The pump's thread is a daemon started by the constructor.
 */
public final class EventPump {
  /** How long the pump's thread leaves polling to a returning {@code kevent} caller. */
  public static final long GRACE_NANOS = 1_000_000;

  private static final System.Logger LOG = System.getLogger(EventPump.class.getName());

  /**
   * What a pump polls: one system call that waits for events and dispatches them to their knotes.
   * Called by one thread at a time.
   */
  public interface Source {
    /**
     * Waits for events and dispatches them (activating knotes); returns after one batch, on {@link
     * #wakeup()}, or when {@code nanos} have passed.
     *
     * @param nanos at most this long; negative for no limit, 0 to only collect what is ready. The
     *     source may round down to its clock's resolution but not up.
     */
    void poll(long nanos);

    /**
     * Makes a {@link #poll} in progress, or the next one, return soon. Called from any thread,
     * possibly holding locks of kqueues and knote lists, so it must take none that a poll's
     * dispatch takes.
     */
    void wakeup();

    /**
     * The shortest wait a {@link #poll} honours: a {@code kevent} caller with less time left
     * sleeps on its kqueue instead of leading, so that it does not spin on polls that return at
     * once. By default one millisecond, the resolution of {@code epoll_wait}'s timeout.
     *
     * @return the resolution of {@link #poll}'s wait in nanoseconds, at least 1
     */
    default long resolutionNanos() {
      return 1_000_000;
    }
  }

  private final Source source;
  private final Thread thread;
  private final InterruptHook interruptHook;
  private final AtomicReference<Thread> leader = new AtomicReference<>();
  /** The kqueue whose caller last waited while another thread led: it is offered the lead. */
  private final AtomicReference<EmulatedKQueue> follower = new AtomicReference<>();
  /** Set while the pump's thread sleeps until a caller's {@link #release} wakes it. */
  private volatile boolean threadIdle;
  /** When the last lead's grace ends; written by every {@link #release}, which it also marks. */
  private volatile long graceEnds;
  private volatile boolean inGrace;

  /**
   * Starts the pump's thread over {@code source}.
   *
   * @param threadName the name of the pump's thread
   * @param source what the leader polls
   */
  public EventPump(String threadName, Source source) {
    this.source = source;
    this.interruptHook = new InterruptHook(source::wakeup);
    this.thread = new Thread(this::serve, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * A {@link Source#poll} wait as the timeout of a system call that counts whole milliseconds, as
   * {@code epoll_wait} does: rounded down, -1 for no limit.
   *
   * @param nanos the wait given to {@link Source#poll}
   * @return the timeout in milliseconds
   */
  public static int toMillis(long nanos) {
    return nanos < 0 ? -1 : (int) Math.min(nanos / 1_000_000, Integer.MAX_VALUE);
  }

  /** The smallest wait a caller can lead for: the resolution of the source's wait. */
  long minLeadNanos() {
    return source.resolutionNanos();
  }

  /** Takes the lead for the calling {@code kevent} thread; false when another thread has it. */
  boolean tryLead() {
    return leader.compareAndSet(null, Thread.currentThread());
  }

  /**
   * Polls as the leader, for at most {@code nanos} (negative: no limit). The wait ends early when
   * the thread is interrupted, whose status is kept.
   */
  void poll(long nanos) {
    interruptHook.enter();
    try {
      source.poll(nanos);
    } finally {
      interruptHook.exit();
    }
  }

  /**
   * Gives the lead up and offers it to a waiting caller; the pump's thread takes it after {@link
   * #GRACE_NANOS} unless a caller has.
   */
  void release() {
    startGrace();
    leader.set(null);
    promoteFollower();
    if (threadIdle) {
      LockSupport.unpark(thread);
    }
  }

  /**
   * Called by a {@code kevent} caller of {@code kq} that is about to sleep because another thread
   * leads. When the pump's own thread leads, it is woken so that it hands the lead over.
   */
  void follow(EmulatedKQueue kq) {
    follower.set(kq);
    if (leader.get() == thread) {
      source.wakeup();
    }
  }

  /** The caller of {@code kq} woke up: it no longer needs the lead offered. */
  void unfollow(EmulatedKQueue kq) {
    follower.compareAndSet(kq, null);
  }

  /** Makes the leader's {@link #poll} return; for a kqueue whose leader must see a new event. */
  void wakeup() {
    source.wakeup();
  }

  private void promoteFollower() {
    EmulatedKQueue kq = follower.getAndSet(null);
    if (kq != null) {
      kq.offerLead();
    }
  }

  private void startGrace() {
    graceEnds = System.nanoTime() + GRACE_NANOS;
    inGrace = true;
  }

  /** The pump's thread: polls whenever no {@code kevent} caller does. */
  private void serve() {
    while (true) {
      if (leader.get() != null) {
        awaitRelease();
        continue;
      }
      if (inGrace) {
        long left = graceEnds - System.nanoTime();
        if (left > 0) {
          LockSupport.parkNanos(this, left);
          continue;
        }
        inGrace = false;
      }
      if (!leader.compareAndSet(null, thread)) {
        continue;
      }
      try {
        source.poll(-1);
      } catch (RuntimeException | Error e) {
        leader.set(null);
        LOG.log(Level.ERROR, thread.getName() + ": the event source failed; only threads in"
            + " kevent poll it from now on", e);
        return;
      }
      leader.set(null);
      if (follower.get() != null) {
        startGrace();
        promoteFollower();
      }
    }
  }

  /**
   * While a caller leads: sleeps one grace period, and if no lead ended in it, sleeps until the
   * caller's {@link #release} wakes it. Checking {@link #graceEnds} after setting {@link
   * #threadIdle} (both volatile), against a release that writes it before it reads the flag, makes
   * sure that a release either sees the flag or is seen here.
   */
  private void awaitRelease() {
    long lastRelease = graceEnds;
    LockSupport.parkNanos(this, GRACE_NANOS);
    if (leader.get() == null || graceEnds != lastRelease) {
      return; // callers come and go: look again in a grace period
    }
    threadIdle = true;
    if (leader.get() != null && graceEnds == lastRelease) {
      LockSupport.park(this);
    }
    threadIdle = false;
  }
}
