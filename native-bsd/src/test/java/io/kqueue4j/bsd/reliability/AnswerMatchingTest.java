package io.kqueue4j.bsd.reliability;

import static io.kqueue4j.KEvent.EVFILT_USER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.EV_DISABLE;
import static io.kqueue4j.KEvent.EV_ENABLE;
import static io.kqueue4j.KEvent.EV_ERROR;
import static io.kqueue4j.KEvent.EV_KEEPUDATA;
import static io.kqueue4j.KEvent.EV_RECEIPT;
import static io.kqueue4j.KEvent.NOTE_TRIGGER;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueueException;
import io.kqueue4j.bsd.internal.FakeAbi;
import io.kqueue4j.bsd.internal.FakeKernel;
import io.kqueue4j.bsd.internal.NativeKQueue;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two changes to one knote in one call, of which only the second is answered: the answer names
 * the second change (its udata), and the first change's outcome decides the knote's udata. Found
 * by {@link NativeChangelistFuzzTest}: the binding matched an answer to the first change with the
 * same ident and filter, so the caller got the wrong udata back, and a knote whose {@code EV_ADD}
 * succeeded lost its udata because a later change to it failed.
 */
class AnswerMatchingTest {
  private FakeKernel kernel;

  private NativeKQueue open(FakeAbi abi) throws KQueueException {
    kernel = new FakeKernel(abi);
    return NativeKQueue.open(kernel, abi.layout());
  }

  @AfterEach
  void noViolations() {
    assertEquals(List.of(), kernel.violations());
    kernel.shutdown();
  }

  private static KEvent[] poll(NativeKQueue kq) throws KQueueException {
    KEvent[] out = new KEvent[8];
    return java.util.Arrays.copyOf(out, kq.kevent(null, out, Duration.ZERO));
  }

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void a_failing_change_after_a_successful_add_leaves_the_added_udata(FakeAbi abi)
      throws Exception {
    NativeKQueue kq = open(abi);
    KEvent[] out = new KEvent[4];
    int n = kq.kevent(new KEvent[] {
      KEvent.of(1, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, "added"),
      KEvent.of(1, EVFILT_USER, EV_ENABLE | EV_DISABLE, 0, 0, "refused"), // EINVAL
    }, out, Duration.ZERO);
    assertEquals(1, n);
    assertEquals(KEvent.of(1, EVFILT_USER, EV_ERROR, 0, Errno.EINVAL, "refused"), out[0],
        "the error names the change that failed");
    kq.kevent(new KEvent[] {KEvent.of(1, EVFILT_USER, EV_KEEPUDATA, NOTE_TRIGGER, 0, null)}, null,
        Duration.ZERO);
    KEvent[] events = poll(kq);
    assertEquals(1, events.length);
    assertEquals("added", events[0].udata(), "the knote keeps the udata its EV_ADD gave it");
    kq.close();
    assertEquals(0, kq.liveTokens());
  }

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void a_receipt_names_the_change_that_asked_for_it(FakeAbi abi) throws Exception {
    NativeKQueue kq = open(abi);
    KEvent[] out = new KEvent[4];
    int n = kq.kevent(new KEvent[] {
      KEvent.of(2, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, "first"),
      KEvent.of(2, EVFILT_USER, EV_ENABLE | EV_RECEIPT, 0, 0, "second"),
    }, out, Duration.ZERO);
    assertEquals(1, n, "one receipt, for the change with EV_RECEIPT");
    assertEquals(KEvent.of(2, EVFILT_USER, EV_ERROR, 0, 0, "second"), out[0]);
    kq.kevent(new KEvent[] {KEvent.of(2, EVFILT_USER, EV_KEEPUDATA, NOTE_TRIGGER, 0, null)}, null,
        Duration.ZERO);
    assertEquals("second", poll(kq)[0].udata(), "the second change replaced the udata");
    kq.close();
    assertEquals(0, kq.liveTokens());
  }

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void answers_that_could_name_either_change_are_placed_so_that_every_entry_has_its_change(
      FakeAbi abi) throws Exception {
    NativeKQueue kq = open(abi);
    KEvent[] out = new KEvent[4];
    int n = kq.kevent(new KEvent[] {
      KEvent.of(3, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, null), // succeeds: no entry
      KEvent.of(3, EVFILT_USER, EV_ENABLE | EV_DISABLE | EV_RECEIPT, 0, 0, null), // EINVAL
      KEvent.of(4, EVFILT_USER, EV_DELETE | EV_RECEIPT, 0, 0, "other"), // ENOENT
    }, out, Duration.ZERO);
    assertEquals(2, n);
    assertEquals(KEvent.of(3, EVFILT_USER, EV_ERROR, 0, Errno.EINVAL, null), out[0]);
    assertEquals(KEvent.of(4, EVFILT_USER, EV_ERROR, 0, Errno.ENOENT, "other"), out[1],
        "the second answer names its change: the first was not taken for the successful EV_ADD");
    kq.close();
    assertEquals(0, kq.liveTokens());
  }
}
