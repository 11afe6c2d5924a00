package io.kqueue4j.filters.proc;

import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.spi.ProcessEventSource;
import io.kqueue4j.filters.spi.ProcessEventSource.ProcessEventListener;
import io.kqueue4j.filters.spi.ProcessEventSource.Subscription;

/**
 * One filter's subscription to its {@link ProcessEventSource}, counted: the first knote that needs
 * process events subscribes, the last one to go cancels, so the source runs only while some knote
 * wants forks or execs. Thread-safe; {@link #acquire} may wait while the source starts.
 */
final class SharedSubscription {
  private final ProcessEventSource source;
  private final ProcessEventListener listener;
  private final Object lock = new Object();
  /** Guarded by {@link #lock}. */
  private int users;
  private Subscription subscription;

  SharedSubscription(ProcessEventSource source, ProcessEventListener listener) {
    this.source = source;
    this.listener = listener;
  }

  /** Takes a reference, subscribing if it is the first; a refusal leaves the count as it was. */
  void acquire() throws KQueueException {
    synchronized (lock) {
      if (users == 0) {
        subscription = source.subscribe(listener);
      }
      users++;
    }
  }

  /** Drops a reference taken by {@link #acquire}, cancelling with the last one. */
  void release() {
    Subscription end = null;
    synchronized (lock) {
      if (--users == 0) {
        end = subscription;
        subscription = null;
      }
    }
    if (end != null) {
      end.cancel();
    }
  }

  /** How many knotes hold a reference; for tests and diagnostics. */
  int users() {
    synchronized (lock) {
      return users;
    }
  }
}
