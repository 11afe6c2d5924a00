package io.kqueue4j.conformance;

import static io.kqueue4j.KEvent.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import org.junit.jupiter.api.Test;

/** FreeBSD's {@code tests/sys/kqueue/libkqueue/user.c}, plus the {@code NOTE_FF*} operations. */
public abstract class UserFilterConformance extends KQueueTestSupport {

  @Test
  void add_and_delete() throws Exception {
    add(1, EVFILT_USER, EV_ADD, 0, 0, null);
    assertNoEvents();
    add(1, EVFILT_USER, EV_DELETE, 0, 0, null);
    assertNoEvents();
    KEvent err = change(1, EVFILT_USER, EV_DELETE, 0, 0, null);
    assertEquals(EV_ERROR, err.flags());
    assertEquals(Errno.ENOENT, err.data());
  }

  @Test
  void event_wait() throws Exception {
    add(1, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, null);
    assertNoEvents();
    add(1, EVFILT_USER, 0, NOTE_TRIGGER, 0, null);
    assertEquals(KEvent.of(1, EVFILT_USER, EV_CLEAR, 0, 0, null), get());
    assertNoEvents();
  }

  @Test
  void disable_and_enable() throws Exception {
    add(1, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, null);
    add(1, EVFILT_USER, EV_DISABLE, 0, 0, null);
    add(1, EVFILT_USER, 0, NOTE_TRIGGER, 0, null);
    assertNoEvents();
    add(1, EVFILT_USER, EV_ENABLE, 0, 0, null);
    assertEquals(KEvent.of(1, EVFILT_USER, EV_CLEAR, 0, 0, null), get(),
        "a trigger while disabled is delivered on enable");
    assertNoEvents();
  }

  @Test
  void oneshot() throws Exception {
    add(2, EVFILT_USER, EV_ADD | EV_ONESHOT, 0, 0, null);
    add(2, EVFILT_USER, 0, NOTE_TRIGGER, 0, null);
    assertEquals(KEvent.of(2, EVFILT_USER, EV_ONESHOT, 0, 0, null), get());
    assertNoEvents();
    assertEquals(Errno.ENOENT, change(2, EVFILT_USER, EV_DELETE, 0, 0, null).data(),
        "a delivered oneshot knote is gone");
  }

  @Test
  void level_triggered_without_clear_repeats() throws Exception {
    add(3, EVFILT_USER, EV_ADD, 0, 0, null);
    add(3, EVFILT_USER, 0, NOTE_TRIGGER, 0, null);
    assertEquals(1, poll().length);
    assertEquals(1, poll().length, "without EV_CLEAR the trigger stays");
    add(3, EVFILT_USER, EV_CLEAR, 0, 0, null);
    assertNoEvents();
  }

  @Test
  void trigger_at_add() throws Exception {
    add(4, EVFILT_USER, EV_ADD | EV_CLEAR, NOTE_TRIGGER, 0, null);
    assertEquals(1, poll().length, "NOTE_TRIGGER with EV_ADD triggers (project decision D12)");
  }

  @Test
  void fflags_operations() throws Exception {
    add(5, EVFILT_USER, EV_ADD | EV_CLEAR, NOTE_FFCOPY | 0x0f0, 0, null);
    add(5, EVFILT_USER, 0, NOTE_TRIGGER | NOTE_FFOR | 0x00f, 0, null);
    assertEquals(0x0ff, get().fflags());
    add(5, EVFILT_USER, 0, NOTE_TRIGGER | NOTE_FFAND | 0x0f1, 0, null);
    assertEquals(0x0f1, get().fflags());
    add(5, EVFILT_USER, 0, NOTE_TRIGGER | NOTE_FFCOPY | 0x300, 0, null);
    assertEquals(0x300, get().fflags());
    add(5, EVFILT_USER, 0, NOTE_TRIGGER | NOTE_FFNOP | 0xfff, 77, null);
    KEvent ev = get();
    assertEquals(0x300, ev.fflags(), "NOTE_FFNOP leaves the stored value");
    assertEquals(77, ev.data(), "data is the last change's data");
    assertEquals(0, ev.fflags() & (NOTE_FFCTRLMASK | NOTE_TRIGGER), "control bits never come out");
  }

  @Test
  void udata_comes_back_by_identity() throws Exception {
    Object token = new Object();
    add(6, EVFILT_USER, EV_ADD | EV_CLEAR, NOTE_TRIGGER, 0, token);
    assertSame(token, get().udata());
  }

  @Test
  void dispatch_delivers_once_until_enabled() throws Exception {
    add(7, EVFILT_USER, EV_ADD | EV_CLEAR | EV_DISPATCH, 0, 0, null);
    add(7, EVFILT_USER, 0, NOTE_TRIGGER, 0, null);
    assertEquals(1, poll().length);
    add(7, EVFILT_USER, 0, NOTE_TRIGGER, 0, null);
    assertNoEvents();
    add(7, EVFILT_USER, EV_ENABLE, 0, 0, null);
    assertEquals(1, poll().length, "the trigger while dispatched-disabled comes on enable");
    assertNoEvents();
  }
}
