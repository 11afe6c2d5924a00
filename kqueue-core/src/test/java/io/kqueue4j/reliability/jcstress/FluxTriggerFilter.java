package io.kqueue4j.reliability.jcstress;

import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.NOTE_TRIGGER;

import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.KEventSink;
import io.kqueue4j.kernel.KNote;
import io.kqueue4j.testing.FilterSlot;

/**
 * A test filter that triggers like {@code EVFILT_USER} ({@code NOTE_TRIGGER} sets the knote's
 * triggered state, the change's {@code data} is what the next delivery carries, {@code EV_CLEAR}
 * resets the state on delivery) but keeps the default {@link FilterOps#processesUnderKQueueLock()}
 * ({@code false}). The scan therefore drops the kqueue's lock around {@link #process}, and only the
 * in-flux protocol keeps a concurrent {@code touch}, delete or close away from the knote; the
 * built-in {@code EVFILT_USER} is processed under the lock and no longer exercises that window.
 *
 * <p>Its state lives in the knote only ({@code hook} is the knote itself while triggered, {@code
 * sdata} the data), and nothing synchronizes it but the kernel: a change that ran while the scan
 * processes the knote shows as a lost or doubled event.
 */
final class FluxTriggerFilter implements FilterOps {
  /** The filter id, installed once per JVM on a free test slot. */
  static final short ID = install();

  private FluxTriggerFilter() {}

  private static short install() {
    try {
      return FilterSlot.install(new FluxTriggerFilter()).filter;
    } catch (KQueueException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void attach(KNote kn) {
    kn.setHook((kn.sfflags() & NOTE_TRIGGER) != 0 ? kn : null);
  }

  @Override
  public void detach(KNote kn) {}

  @Override
  public boolean event(KNote kn, long hint) {
    return kn.hook() == kn;
  }

  @Override
  public void touch(KNote kn, int flags, int fflags, long data) {
    if ((fflags & NOTE_TRIGGER) != 0) {
      kn.setHook(kn);
    }
    kn.setSdata(data);
  }

  @Override
  public boolean process(KNote kn, KEventSink out) {
    if (kn.hook() != kn) {
      return false;
    }
    out.put(kn.ident(), kn.filter(), kn.flags(), 0, kn.sdata(), kn.udata());
    if ((kn.flags() & EV_CLEAR) != 0) {
      kn.setHook(null);
    }
    return true;
  }
}
