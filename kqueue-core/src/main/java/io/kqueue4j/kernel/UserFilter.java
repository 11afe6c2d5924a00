package io.kqueue4j.kernel;

import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.NOTE_FFAND;
import static io.kqueue4j.KEvent.NOTE_FFCOPY;
import static io.kqueue4j.KEvent.NOTE_FFCTRLMASK;
import static io.kqueue4j.KEvent.NOTE_FFLAGSMASK;
import static io.kqueue4j.KEvent.NOTE_FFOR;
import static io.kqueue4j.KEvent.NOTE_TRIGGER;

/**
 * {@code EVFILT_USER}: events triggered by the program itself; see {@code filt_user*} in FreeBSD's
 * {@code kern_event.c}. The knote's hook is its triggered state ({@code kn_hookid}): the knote
 * itself when triggered, null when not (a reference to itself is the one store the collector's
 * write barrier filters out at once, which matters on a path that runs per trigger); {@code
 * sfflags} holds the 24-bit user value and {@code sdata} the user data, delivered as {@code fflags}
 * and {@code data}.
 *
 * <p>Deliberate difference: {@code NOTE_TRIGGER} given with {@code EV_ADD} triggers the new knote
 * (as XNU does; FreeBSD tests a field it has just zeroed and ignores it).
 */
final class UserFilter implements FilterOps {
  @Override
  public void attach(KNote kn) {
    int input = kn.sfflags();
    kn.setHook((input & NOTE_TRIGGER) != 0 ? kn : null);
    kn.setSfflags((input & NOTE_FFCTRLMASK) == NOTE_FFAND ? 0 : input & NOTE_FFLAGSMASK);
    mirror(kn);
  }

  @Override
  public void detach(KNote kn) {}

  @Override
  public boolean event(KNote kn, long hint) {
    return kn.hook() == kn;
  }

  /** {@code filt_usertouch(EVENT_REGISTER)}. */
  @Override
  public void touch(KNote kn, int flags, int fflags, long data) {
    if ((fflags & NOTE_TRIGGER) != 0) {
      kn.setHook(kn);
    }
    kn.setSfflags(apply(kn.sfflags(), fflags));
    kn.setSdata(data);
    if ((flags & EV_CLEAR) != 0) {
      kn.setHook(null);
    }
    mirror(kn);
  }

  /** {@code filt_usertouch(EVENT_PROCESS)}. */
  @Override
  public boolean process(KNote kn, KEventSink out) {
    if (kn.hook() != kn) {
      return false;
    }
    out.put(kn.ident(), kn.filter(), kn.flags(), kn.sfflags(), kn.sdata(), kn.udata());
    if ((kn.flags() & EV_CLEAR) != 0) {
      kn.setHook(null);
    }
    return true;
  }

  /** Its process reads and resets the knote's own fields only. */
  @Override
  public boolean processesUnderKQueueLock() {
    return true;
  }

  /** Applies the {@code NOTE_FF*} operation of {@code input} to the stored value. */
  private static int apply(int stored, int input) {
    int value = input & NOTE_FFLAGSMASK;
    return switch (input & NOTE_FFCTRLMASK) {
      case NOTE_FFAND -> stored & value;
      case NOTE_FFOR -> stored | value;
      case NOTE_FFCOPY -> value;
      default -> stored;
    };
  }

  /** Keeps the kevent fields equal to the stored values, which a oneshot delivery copies. */
  private static void mirror(KNote kn) {
    kn.setFflags(kn.sfflags());
    kn.setData(kn.sdata());
  }
}
