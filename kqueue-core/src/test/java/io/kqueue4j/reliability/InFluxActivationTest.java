package io.kqueue4j.reliability;

import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DISPATCH;
import static io.kqueue4j.KEvent.EV_ENABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kqueue4j.KEvent;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.EmulatedKQueue;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.KEventSink;
import io.kqueue4j.kernel.KNote;
import io.kqueue4j.testing.FilterSlot;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lossless in-flux protocol for activations that come without a knote list ({@link
 * KNote#activate()}, as timers use): an activation from another thread while the kernel holds the
 * knote in flux (during {@code attach}, {@code touch} or {@code process}) is not lost but re-queues
 * the knote when the kernel lets it go ({@code REACTIVATED}). Deterministic: the filter performs the
 * activation, from a second thread, inside the very call that holds the knote.
 */
class InFluxActivationTest {

  /** State outside any list: {@code pending} counts activations not yet delivered. */
  static final class ListlessFilter implements FilterOps {
    final AtomicLong pending = new AtomicLong();
    volatile String activateDuring = "";
    volatile KNote attached;

    /** A source event: one more pending, and the knote activated. */
    void post() {
      pending.incrementAndGet();
      attached.activate();
    }

    /** Another thread posts and activates {@code kn}, and is waited for. */
    void activateFromAnotherThread(KNote kn) {
      CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
        pending.incrementAndGet();
        kn.activate();
      });
      try {
        other.get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("the activation did not complete", e);
      }
    }

    private void maybeActivate(String method, KNote kn) {
      if (method.equals(activateDuring)) {
        activateDuring = "";
        activateFromAnotherThread(kn);
      }
    }

    @Override
    public void attach(KNote kn) {
      attached = kn;
      maybeActivate("attach", kn);
    }

    @Override
    public void detach(KNote kn) {}

    /** Never true on its own: only activations make the knote active. */
    @Override
    public boolean event(KNote kn, long hint) {
      return false;
    }

    @Override
    public void touch(KNote kn, int flags, int fflags, long data) {
      maybeActivate("touch", kn);
    }

    @Override
    public boolean process(KNote kn, KEventSink out) {
      long n = pending.getAndSet(0);
      maybeActivate("process", kn); // arrives after this delivery took its count
      if (n == 0) {
        return false;
      }
      out.put(kn.ident(), kn.filter(), kn.flags(), 0, n, kn.udata());
      return true;
    }
  }

  private ListlessFilter filter;
  private FilterSlot slot;
  private EmulatedKQueue kq;

  @BeforeEach
  void open() throws KQueueException {
    filter = new ListlessFilter();
    slot = FilterSlot.install(filter);
    kq = EmulatedKQueue.open();
  }

  @AfterEach
  void close() throws KQueueException {
    kq.close();
    slot.close();
  }

  private void apply(int flags) throws KQueueException {
    kq.kevent(new KEvent[] {KEvent.of(1, slot.filter, flags, 0, 0, null)}, null, Duration.ZERO);
  }

  private long[] poll() throws KQueueException {
    KEvent[] out = new KEvent[4];
    int n = kq.kevent(null, out, Duration.ZERO);
    return Arrays.stream(out, 0, n).mapToLong(KEvent::data).toArray();
  }

  @Test
  void activation_during_process_is_delivered_by_the_next_scan() throws Exception {
    apply(EV_ADD | EV_CLEAR);
    filter.post();
    filter.activateDuring = "process";
    assertEquals("[1]", Arrays.toString(poll()));
    assertEquals("[1]", Arrays.toString(poll()), "the activation during process was lost");
    assertEquals("[]", Arrays.toString(poll()));
    kq.checkInvariants();
  }

  @Test
  void activation_during_process_of_a_dispatch_knote_waits_for_enable() throws Exception {
    apply(EV_ADD | EV_CLEAR | EV_DISPATCH);
    filter.post();
    filter.activateDuring = "process";
    assertEquals("[1]", Arrays.toString(poll()));
    assertEquals("[]", Arrays.toString(poll()), "a dispatched knote stays disabled");
    apply(EV_ENABLE);
    assertEquals("[1]", Arrays.toString(poll()), "the activation during process was lost");
    kq.checkInvariants();
  }

  @Test
  void activation_during_attach_or_touch_is_not_lost() throws Exception {
    filter.activateDuring = "attach";
    apply(EV_ADD | EV_CLEAR);
    assertEquals("[1]", Arrays.toString(poll()), "the activation during attach was lost");
    filter.activateDuring = "touch";
    apply(0);
    assertEquals("[1]", Arrays.toString(poll()), "the activation during touch was lost");
    kq.checkInvariants();
  }
}
