package io.kqueue4j.filters.descriptor;

import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_ERROR;
import static io.kqueue4j.KEvent.EV_ONESHOT;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.EventPump;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.KEventSink;
import io.kqueue4j.kernel.KNote;

/**
 * What {@link ReadFilter} and {@link WriteFilter} share: attach and detach through {@link
 * WatchedDescriptors}, a fresh {@link DescriptorWatch#probe} for every {@link #event}, and the
 * source's re-arm when a side is found not ready or was delivered.
 */
abstract class FilterOpsBase implements FilterOps {
  private static final ThreadLocal<Readiness> PROBE = ThreadLocal.withInitial(Readiness::new);

  private final boolean read;

  FilterOpsBase(boolean read) {
    this.read = read;
  }

  @Override
  public final boolean isFd() {
    return true;
  }

  @Override
  public final void attach(KNote kn) throws KQueueException {
    WatchedDescriptors.attach(kn, read, wd -> check(kn, wd));
    EventPump pump = ((WatchedDescriptor) kn.hook()).watch.pump();
    if (pump != null) {
      kn.usePump(pump);
    }
  }

  /** Refuses a registration the object's {@code fo_kqfilter} refuses; called before counting. */
  void check(KNote kn, WatchedDescriptor wd) throws KQueueException {}

  @Override
  public final void detach(KNote kn) {
    WatchedDescriptors.detach(kn, read);
  }

  @Override
  public final boolean event(KNote kn, long hint) {
    DescriptorWatch watch = ((WatchedDescriptor) kn.hook()).watch;
    if (hint != 0 && (kn.flags() & EV_ONESHOT) == 0 && watch.readyByHint(hint, read)) {
      return true; // the scan's re-check probes before delivery
    }
    DescriptorKind kind = watch.kind();
    boolean ready;
    if (!(read ? watch.readOpen() : watch.writeOpen())
        && (kind == DescriptorKind.PIPE || kind == DescriptorKind.FIFO)) {
      ready = false; // pipe_nfiltops: the wrong end of a pipe never fires
    } else {
      Readiness r = PROBE.get().clear();
      try {
        watch.probe(hint, read, r);
        ready = evaluate(kn, kind, r);
      } catch (RuntimeException e) {
        // the probe's failure belongs to this knote: report it here, as the kernel's re-check
        // does, rather than leave KNoteList.post to activate the knote for a re-check that would
        // probe again
        kn.addFlags(EV_ERROR);
        kn.setData(Errno.EIO);
        return true;
      }
    }
    if (!ready && !kn.isDisabled()) { // EV_ENABLE calls event again, which re-arms
      watch.rearm(read);
    }
    return ready;
  }

  /** The object's {@code f_event}: sets the knote's data and flags from {@code r}. */
  abstract boolean evaluate(KNote kn, DescriptorKind kind, Readiness r);

  /**
   * Saves {@code fflags}/{@code data} as FreeBSD does for filters without {@code f_touch}, and on
   * {@code EV_ADD} lets the source check that the descriptor number still refers to the object it
   * watches.
   */
  @Override
  public final void touch(KNote kn, int flags, int fflags, long data) {
    kn.setSfflags(fflags);
    kn.setSdata(data);
    if ((flags & EV_ADD) != 0) {
      WatchedDescriptors.revalidate((WatchedDescriptor) kn.hook());
    }
  }

  @Override
  public final boolean process(KNote kn, KEventSink out) {
    boolean delivered = FilterOps.super.process(kn, out);
    if (delivered) {
      ((WatchedDescriptor) kn.hook()).watch.delivered(read);
    }
    return delivered;
  }
}
