package io.kqueue4j.linux.reliability;

import static io.kqueue4j.KEvent.EVFILT_READ;
import static io.kqueue4j.KEvent.EVFILT_TIMER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.linux.LibC;
import io.kqueue4j.linux.reliability.RealPumpInterruptTest.Pump;
import io.kqueue4j.linux.reliability.RealPumpInterruptTest.Role;
import io.kqueue4j.linux.reliability.RealPumpInterruptTest.Waiter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A kqueue with timers and descriptors: both the timer service and the epoll instance are event
 * pumps, and a kqueue's callers lead one of them. Whichever knote comes first, the callers lead
 * epoll (docs/architecture.md, "Event pumps"), and both kinds of events reach a caller that waits;
 * also when the pump changes while a caller waits in the timer service's.
 */
@EnabledOnOs(OS.LINUX)
class MixedPumpTest {
  private static final long HOUR_MS = TimeUnit.HOURS.toMillis(1);

  private KQueue kq;
  private int[] pipe;

  @BeforeEach
  void open() throws Exception {
    Pump.EPOLL.assumeActive();
    kq = KQueue.emulated();
    pipe = FileDescriptors.pipe();
  }

  @AfterEach
  void close() throws Exception {
    if (kq != null) {
      kq.close();
    }
    if (pipe != null) {
      FileDescriptors.close(pipe[0]);
      FileDescriptors.close(pipe[1]);
    }
  }

  private void addFarTimer() throws Exception {
    kq.kevent(new KEvent[] {KEvent.of(1, EVFILT_TIMER, EV_ADD, 0, HOUR_MS, null)}, null,
        Duration.ZERO);
  }

  private void addPipe() throws Exception {
    kq.kevent(new KEvent[] {KEvent.of(pipe[0], EVFILT_READ, EV_ADD | EV_CLEAR, 0, 0, null)}, null,
        Duration.ZERO);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void callers_lead_epoll_whichever_knote_came_first_and_get_both_kinds_of_event(
      boolean timerFirst) throws Exception {
    if (timerFirst) {
      addFarTimer();
      addPipe();
    } else {
      addPipe();
      addFarTimer();
    }
    Waiter first = new Waiter(kq, "first");
    first.awaitRole(Pump.EPOLL, Role.LEADER);
    LibC.write(pipe[1], ByteBuffer.allocateDirect(1));
    first.assertReturned(1, false);
    assertEquals(pipe[0], first.out[0].ident());

    Waiter second = new Waiter(kq, "second");
    second.awaitRole(Pump.EPOLL, Role.LEADER);
    kq.kevent(new KEvent[] {KEvent.of(2, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 30, null)}, null,
        Duration.ZERO);
    second.assertReturned(1, false); // the timer thread fired it and woke the epoll leader
    assertEquals(2, second.out[0].ident());
  }

  @Test
  void a_caller_in_the_timer_service_when_epoll_takes_over_still_gets_the_descriptor_event()
      throws Exception {
    addFarTimer();
    Waiter waiter = new Waiter(kq, "waiter");
    waiter.awaitState("in the timer service",
        () -> waiter.has("io.kqueue4j.filters.timer.TimerService$Source", "poll"));
    addPipe(); // the kqueue's pump becomes epoll's while the waiter waits in the timer service
    LibC.write(pipe[1], ByteBuffer.allocateDirect(1));
    waiter.assertReturned(1, false); // woken through the pump it waits in
    assertEquals(pipe[0], waiter.out[0].ident());
    Waiter next = new Waiter(kq, "next");
    next.awaitRole(Pump.EPOLL, Role.LEADER);
  }
}
