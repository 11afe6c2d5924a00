package io.kqueue4j.filters.proc;

import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.spi.ProcessEventSource;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ProcessEventSource} driven by the test: it reports the forks, execs, exits and losses
 * the test tells it, or refuses every subscription with a given errno.
 */
final class ManualProcessEventSource implements ProcessEventSource {
  private final KQueueException refusal;
  private final AtomicInteger subscriptions = new AtomicInteger();
  private volatile ProcessEventListener listener;

  /** A source that accepts subscribers when {@code refusal} is null, else refuses with it. */
  ManualProcessEventSource(KQueueException refusal) {
    this.refusal = refusal;
  }

  @Override
  public String name() {
    return "manual";
  }

  @Override
  public int priority() {
    return 1;
  }

  @Override
  public boolean isAvailable() {
    return true;
  }

  @Override
  public Subscription subscribe(ProcessEventListener subscriber) throws KQueueException {
    if (refusal != null) {
      throw refusal;
    }
    if (listener != null) {
      throw new IllegalStateException("one filter subscribes once");
    }
    listener = subscriber;
    subscriptions.incrementAndGet();
    return () -> listener = null;
  }

  /** Whether a subscription is live. */
  boolean subscribed() {
    return listener != null;
  }

  /** How many subscriptions were made so far. */
  int subscriptions() {
    return subscriptions.get();
  }

  void fork(long parent, long child) {
    listener.forked(parent, child);
  }

  void exec(long pid) {
    listener.executed(pid);
  }

  void exit(long pid, int waitStatus) {
    listener.exited(pid, waitStatus);
  }

  void lose() {
    listener.lost();
  }
}
