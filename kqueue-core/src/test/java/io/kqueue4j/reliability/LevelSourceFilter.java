package io.kqueue4j.reliability;

import static io.kqueue4j.KEvent.EV_EOF;
import static io.kqueue4j.KEvent.NOTE_LOWAT;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.KNote;
import io.kqueue4j.kernel.KNoteList;

/**
 * A test filter shaped like FreeBSD's socket read filter ({@code filt_soread}): ident {@code i}
 * attaches to source {@code i}, a byte count with a {@link KNoteList}. {@link #write} adds bytes
 * and posts the new count as the hint, {@link #read} consumes bytes without posting (as {@code
 * soreceive} does not wake readers), {@link #hangUp} ends the stream for good and posts.
 *
 * <p>{@link #event} records the count in {@code data} and is true when at least the low-water mark
 * is available ({@code NOTE_LOWAT} in {@code sfflags}: {@code max(1, sdata)}, else 1) or after a
 * hang-up, which also sets {@code EV_EOF}. Touch and process are the kernel's defaults: a change
 * stores new {@code sfflags}/{@code sdata}, and delivery re-checks the condition, so bytes consumed
 * before a scan mean no delivery, and {@code EV_CLEAR} resets {@code data} until the next post.
 * {@link KNoteModel} models exactly this.
 */
final class LevelSourceFilter implements FilterOps {

  /** One source: its list and byte count, guarded by the list's lock. */
  private static final class Source {
    final KNoteList list = new KNoteList();
    long available;
    boolean hungUp;
  }

  private Source[] sources = new Source[0];

  /** Replaces every source by a new empty one, for a new kqueue whose knotes are all gone. */
  void reset(int count) {
    sources = new Source[count];
    for (int i = 0; i < count; i++) {
      sources[i] = new Source();
    }
  }

  /** {@code n} bytes arrive at source {@code i}, which posts its new count; none after a hang-up. */
  void write(int i, long n) {
    Source s = sources[i];
    s.list.lock();
    try {
      if (!s.hungUp) {
        s.available += n;
        s.list.post(s.available);
      }
    } finally {
      s.list.unlock();
    }
  }

  /** The reader consumes up to {@code n} bytes of source {@code i}; nothing is posted. */
  void read(int i, long n) {
    Source s = sources[i];
    s.list.lock();
    try {
      s.available -= Math.min(n, s.available);
    } finally {
      s.list.unlock();
    }
  }

  /** Source {@code i} ends its stream and posts. */
  void hangUp(int i) {
    Source s = sources[i];
    s.list.lock();
    try {
      s.hungUp = true;
      s.list.post(s.available);
    } finally {
      s.list.unlock();
    }
  }

  @Override
  public void attach(KNote kn) throws KQueueException {
    if (kn.ident() < 0 || kn.ident() >= sources.length) {
      throw new KQueueException("kevent", Errno.EINVAL, "no source " + kn.ident());
    }
    Source s = sources[(int) kn.ident()];
    kn.setHook(s);
    s.list.add(kn);
  }

  @Override
  public void detach(KNote kn) {
    ((Source) kn.hook()).list.remove(kn);
  }

  /** The hint is the count a post saw; 0 when the kernel re-checks, which reads the source. */
  @Override
  public boolean event(KNote kn, long hint) {
    Source s = (Source) kn.hook();
    long available = hint != 0 ? hint : s.available;
    kn.setData(available);
    if (s.hungUp) {
      kn.addFlags(EV_EOF);
      return true;
    }
    long lowat = (kn.sfflags() & NOTE_LOWAT) != 0 ? Math.max(1, kn.sdata()) : 1;
    return available >= lowat;
  }
}
