package io.kqueue4j.filters.signal;

import io.kqueue4j.kernel.KNoteList;
import java.util.HashMap;
import java.util.Map;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * One OS signal as the JVM lets an application handle it ({@code sun.misc.Signal}, module {@code
 * jdk.unsupported}), with the knotes of every kqueue that watch it. The first knote installs a
 * handler that counts each delivery into the knotes and then calls the handler it replaced; the
 * last one puts the replaced handler back, unless someone installed another over ours meanwhile (a
 * handler that chains to ours is left in place and keeps working).
 *
 * <p>The handler chains to Java handlers (the JVM's shutdown handler on {@code SIGINT}, {@code
 * SIGTERM}, {@code SIGHUP}, or an application's), not to the default action or to the JVM's native
 * handlers: while a signal is watched, a signal whose disposition was the default (terminate,
 * stop) is caught and counted only, and one the JVM handles natively ({@code SIGUSR2}, the JVM's
 * thread suspend/resume signal on Linux HotSpot; {@code SIGPIPE}, {@code SIGXFSZ}, ignored by it)
 * is counted only. This class is the only one linked to {@code sun.misc}.
 */
final class JvmSignal {
  /** The hint a delivery posts to the knotes ({@code NOTE_SIGNAL}). */
  static final long HINT_DELIVERED = io.kqueue4j.KEvent.NOTE_SIGNAL;
  /** The handler of {@link #ignoreInJvm}: the JVM takes no action. */
  private static final SignalHandler IGNORED = sig -> {};
  /** Every signal handled so far, by name: one instance per signal in the JVM; guarded by itself. */
  private static final Map<String, JvmSignal> BY_NAME = new HashMap<>();

  final String name;
  final KNoteList knotes = new KNoteList();
  private final Signal signal;
  /** Knotes attached; guarded by this. */
  private int refs;
  /** Our handler while installed; guarded by this. */
  private Counter installed;

  private JvmSignal(String name) {
    this.name = name;
    this.signal = new Signal(name);
  }

  /**
   * The one instance for signal {@code name} (without {@code SIG}).
   *
   * @throws IllegalArgumentException when the OS has no such signal, with the JVM's reason
   */
  static JvmSignal of(String name) {
    synchronized (BY_NAME) {
      JvmSignal signal = BY_NAME.get(name);
      if (signal == null) {
        signal = new JvmSignal(name);
        BY_NAME.put(name, signal);
      }
      return signal;
    }
  }

  /**
   * Installs the handler for the first watcher.
   *
   * @throws IllegalArgumentException as {@link Signal#handle} does, or when the JVM accepted the
   *     handler but did not install it: it leaves {@code SIGHUP}, {@code SIGINT} and {@code SIGTERM}
   *     alone while the OS ignores them (a JVM started under {@code nohup})
   */
  synchronized void acquire() {
    if (refs == 0) {
      Counter counter = new Counter();
      SignalHandler previous = Signal.handle(signal, counter);
      counter.previous = previous;
      SignalHandler check = Signal.handle(signal, counter);
      if (check != counter) {
        Signal.handle(signal, previous);
        throw new IllegalArgumentException("SIG" + name + " is ignored by this process and the JVM"
            + " does not let a handler replace that (as under nohup)");
      }
      installed = counter;
    }
    refs++;
  }

  /**
   * Makes the JVM take no action on this signal from now on, also after the last watcher leaves;
   * watchers keep counting it. With a watcher present, only what our handler chains to changes.
   *
   * @throws IllegalArgumentException as {@link #acquire} does
   */
  synchronized void ignoreInJvm() {
    if (installed != null) {
      installed.previous = IGNORED;
      return;
    }
    SignalHandler previous = Signal.handle(signal, IGNORED);
    if (Signal.handle(signal, IGNORED) != IGNORED) {
      Signal.handle(signal, previous);
      throw new IllegalArgumentException("SIG" + name + " is ignored by this process and the JVM"
          + " does not let a handler replace that (as under nohup)");
    }
  }

  /** Puts the replaced handler back when the last watcher leaves. */
  synchronized void release() {
    if (--refs > 0) {
      return;
    }
    Counter ours = installed;
    installed = null;
    SignalHandler current = Signal.handle(signal, ours.previous);
    if (current != ours) {
      Signal.handle(signal, current); // installed over ours: leave it, it may chain to ours
    }
  }

  /** The OS's number of this signal, for diagnostics. */
  int osNumber() {
    return signal.getNumber();
  }

  /** Counts a delivery into every watching knote, then chains. */
  private final class Counter implements SignalHandler {
    volatile SignalHandler previous;
    private volatile boolean chainable = true;

    @Override
    public void handle(Signal sig) {
      knotes.post(HINT_DELIVERED);
      SignalHandler next = previous;
      if (chainable && next != null && next != SIG_DFL && next != SIG_IGN) {
        try {
          next.handle(sig);
        } catch (UnsupportedOperationException nativeHandler) {
          chainable = false; // the JVM's own native handler: Java cannot call it
        }
      }
    }
  }
}
