package io.kqueue4j.reliability.jcstress;

import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DISABLE;
import static io.kqueue4j.KEvent.EV_ENABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.kqueue4j.Errno;
import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.EmulatedKQueue;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.Filters;
import io.kqueue4j.kernel.KEventSink;
import io.kqueue4j.kernel.KNote;
import io.kqueue4j.kernel.KNoteList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * jcstress cases for activations that come from a source's own thread rather than from {@code
 * kevent}: a post through a {@link KNoteList} ({@code KNOTE}) and a list-less {@link
 * KNote#activate()} (as timers use), each racing a scan or an {@code EV_DISABLE}/{@code EV_ENABLE}
 * pair, on an {@code EV_CLEAR} knote of a test filter that counts pending posts. Run by {@code
 * JcstressTest}.
 */
public final class SourceActivationStress {
  private SourceActivationStress() {}

  /** One source: its list, its knote once attached, and the posts not yet delivered. */
  static final class Source {
    final KNoteList list = new KNoteList();
    final AtomicLong pending = new AtomicLong();
    volatile KNote knote;

    /** {@code KNOTE(list, 1)} after the source's state changed. */
    void post() {
      pending.incrementAndGet();
      list.post(1);
    }

    /** A list-less activation after the source's state changed. */
    void activate() {
      pending.incrementAndGet();
      knote.activate();
    }
  }

  private static final ConcurrentHashMap<Long, Source> SOURCES = new ConcurrentHashMap<>();
  private static final AtomicLong IDENTS = new AtomicLong();
  private static final short FILTER = install();

  /** The test filter: active while posts are pending; a delivery takes them all. */
  static final class CountingFilter implements FilterOps {
    @Override
    public void attach(KNote kn) {
      Source s = SOURCES.get(kn.ident());
      kn.setHook(s);
      s.knote = kn;
      s.list.add(kn);
    }

    @Override
    public void detach(KNote kn) {
      ((Source) kn.hook()).list.remove(kn);
    }

    @Override
    public boolean event(KNote kn, long hint) {
      return ((Source) kn.hook()).pending.get() > 0;
    }

    @Override
    public boolean process(KNote kn, KEventSink out) {
      long n = ((Source) kn.hook()).pending.getAndSet(0);
      if (n == 0) {
        return false;
      }
      out.put(kn.ident(), kn.filter(), kn.flags(), 0, n, kn.udata());
      return true;
    }
  }

  private static short install() {
    for (short id = -20; id >= -31; id--) {
      try {
        Filters.add(id, new CountingFilter());
        return id;
      } catch (KQueueException e) {
        if (e.errno() != Errno.EEXIST) {
          throw new IllegalStateException(e);
        }
      }
    }
    throw new IllegalStateException("no free filter id from -20 to -31");
  }

  /** A queue and an {@code EV_CLEAR} knote on a fresh source. */
  abstract static class Rig {
    final EmulatedKQueue kq = EmulatedKQueue.open();
    final long ident = IDENTS.incrementAndGet();
    final Source source = new Source();

    Rig() {
      SOURCES.put(ident, source);
      change(EV_ADD | EV_CLEAR);
    }

    final int change(int flags) {
      try {
        return kq.kevent(new KEventBuffer(1).add(ident, FILTER, flags, 0, 0, null), null, 0);
      } catch (KQueueException e) {
        return -e.errno();
      }
    }

    /** Events a zero-timeout scan returns, or minus an errno. */
    final int poll() {
      try {
        return kq.kevent(null, new KEventBuffer(4), 0);
      } catch (KQueueException e) {
        return -e.errno();
      }
    }

    /** The last scan; also forgets the source and closes the queue. */
    final int finish() {
      int n = poll();
      SOURCES.remove(ident);
      kq.close();
      return n;
    }
  }

  /** A post from the source's thread racing a scan: delivered exactly once. */
  @JCStressTest
  @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the scan saw the post")
  @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the post came after the scan")
  @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "post lost")
  @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "EV_CLEAR event delivered twice")
  @State
  public static class PostVersusScan extends Rig {
    @Actor
    public void source() {
      source.post();
    }

    @Actor
    public void scan(II_Result r) {
      r.r1 = poll();
    }

    @Arbiter
    public void last(II_Result r) {
      r.r2 = finish();
    }
  }

  /** A list-less activation racing a scan: delivered exactly once. */
  @JCStressTest
  @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the scan saw the activation")
  @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the activation came after the scan")
  @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "activation lost")
  @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "EV_CLEAR event delivered twice")
  @State
  public static class ActivateVersusScan extends Rig {
    @Actor
    public void source() {
      source.activate();
    }

    @Actor
    public void scan(II_Result r) {
      r.r1 = poll();
    }

    @Arbiter
    public void last(II_Result r) {
      r.r2 = finish();
    }
  }

  /**
   * A list-less activation racing {@code EV_DISABLE} then {@code EV_ENABLE}, each of which holds
   * the knote in flux: afterwards the event is pending exactly once.
   */
  @JCStressTest
  @Outcome(id = "1", expect = ACCEPTABLE, desc = "the activation survives the flux")
  @Outcome(id = "0", expect = FORBIDDEN, desc = "activation lost while in flux")
  @State
  public static class ActivateVersusDisableEnable extends Rig {
    @Actor
    public void source() {
      source.activate();
    }

    @Actor
    public void toggle() {
      change(EV_DISABLE);
      change(EV_ENABLE);
    }

    @Arbiter
    public void last(I_Result r) {
      r.r1 = finish();
    }
  }
}
