package io.kqueue4j.linux.reliability;

import static io.kqueue4j.KEvent.EVFILT_READ;
import static io.kqueue4j.KEvent.EVFILT_VNODE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.NOTE_WRITE;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.filters.descriptor.ReadinessSources;
import io.kqueue4j.filters.vnode.VnodeSources;
import io.kqueue4j.linux.LibC;
import io.kqueue4j.testing.KeventWaiter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code Thread.interrupt()} of a thread blocked in {@code kevent} with no timeout, on a kqueue
 * whose knotes come from a real event pump: the epoll instance behind {@code EVFILT_READ} (a pipe)
 * or the inotify source behind {@code EVFILT_VNODE} (a file). As documented for every wait
 * ({@code KQueue}'s javadoc, docs/semantics.md), {@code kevent} returns 0 and the interrupt status
 * stays set; here also when the thread is the pump's leader (blocked in {@code epoll_wait} itself,
 * see docs/architecture.md, "Event pumps") or a follower asleep on its kqueue while another thread
 * leads, and the kqueue delivers an event made afterwards. Which role a thread has is read from
 * its stack: a leader is in {@code EventPump.poll} and the source's {@code poll}, runnable (in the
 * native wait); a follower is parked in the kqueue's sleep.
 */
@EnabledOnOs(OS.LINUX)
class RealPumpInterruptTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  /** What each test opened, closed in reverse order. */
  private final List<Action> open = new ArrayList<>();

  /** A real event source with a pump, and an object whose knote it feeds. */
  enum Pump {
    EPOLL("io.kqueue4j.linux.descriptor.DescriptorPoller") {
      @Override
      void assumeActive() {
        assumeTrue(ReadinessSources.activeName().equals("linux-epoll"),
            () -> "EVFILT_READ is served by " + ReadinessSources.activeName() + ", not epoll");
      }

      @Override
      Watched watch(Path dir) throws Exception {
        int[] pipe = FileDescriptors.pipe();
        return new Watched(pipe[0], KEvent.of(pipe[0], EVFILT_READ, EV_ADD | EV_CLEAR, 0, 0, null),
            () -> LibC.write(pipe[1], ByteBuffer.allocateDirect(1)),
            () -> {
              FileDescriptors.close(pipe[0]);
              FileDescriptors.close(pipe[1]);
            });
      }
    },
    INOTIFY("io.kqueue4j.linux.vnode.InotifyVnodeLoop") {
      @Override
      void assumeActive() {
        assumeTrue(VnodeSources.activeName().equals("linux-inotify"),
            () -> "EVFILT_VNODE is served by " + VnodeSources.activeName() + ", not inotify");
      }

      @Override
      Watched watch(Path dir) throws Exception {
        Path file = Files.createTempFile(dir, "watched", "");
        int fd = FileDescriptors.open(file);
        return new Watched(fd, KEvent.of(fd, EVFILT_VNODE, EV_ADD | EV_CLEAR, NOTE_WRITE, 0, null),
            () -> Files.writeString(file, "x", StandardOpenOption.APPEND),
            () -> FileDescriptors.close(fd));
      }
    };

    /** The class whose {@code poll} the leader runs. */
    final String sourceClass;

    Pump(String sourceClass) {
      this.sourceClass = sourceClass;
    }

    /** Skips the test where this source is not the one its filter uses. */
    abstract void assumeActive();

    /** A new object and the change that registers a knote on it. */
    abstract Watched watch(Path dir) throws Exception;
  }

  /** Something that may throw, as a write or a close may. */
  interface Action {
    void run() throws Exception;
  }

  /** A watched object: its ident, its {@code EV_ADD} change, how to make it fire and close it. */
  record Watched(long ident, KEvent add, Action fire, Action release) {}

  /** What a waiting thread is doing, read from its stack. */
  enum Role {
    LEADER, FOLLOWER, OTHER
  }

  /** A thread blocked in {@code kevent(null, out, null)}, and its role in a pump. */
  static final class Waiter extends KeventWaiter {
    Waiter(KQueue kq, String name) {
      super(kq, name);
    }

    Role role(Pump pump) {
      Thread.State state = thread.getState();
      if (state == Thread.State.RUNNABLE && has("io.kqueue4j.kernel.EventPump", "poll")
          && has(pump.sourceClass, "poll") && has("io.kqueue4j.linux.Epoll", "waitEvents")) {
        return Role.LEADER;
      }
      if (state == Thread.State.WAITING && has("io.kqueue4j.kernel.EmulatedKQueue", "sleep")
          && !has("io.kqueue4j.kernel.EventPump", "poll")) {
        return Role.FOLLOWER;
      }
      return Role.OTHER;
    }

    /** Waits until the thread is blocked in the given role. */
    void awaitRole(Pump pump, Role role) {
      awaitState("the pump's " + role, () -> role(pump) == role);
    }
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).run(); // a kqueue's close ends a waiter still in kevent with EBADF
    }
  }

  /** A kqueue and the object of its only knote. */
  record Watching(KQueue kq, Watched watched) {
    /** Makes the object fire now; the kqueue delivers the event to a caller that waits for it. */
    void assertDelivers() throws Exception {
      watched.fire().run();
      KEvent[] out = new KEvent[4];
      assertEquals(1, kq.kevent(null, out, WAIT), "the event made after the interrupt");
      assertEquals(watched.ident(), out[0].ident());
    }
  }

  /** A new kqueue whose only knote is on a new object of {@code pump}'s source. */
  private Watching watching(Pump pump) throws Exception {
    Watched w = pump.watch(dir);
    open.add(w.release());
    KQueue kq = KQueue.emulated();
    open.add(kq::close);
    kq.kevent(new KEvent[] {w.add()}, null, Duration.ZERO);
    return new Watching(kq, w);
  }

  @ParameterizedTest
  @EnumSource(Pump.class)
  void interrupting_the_leader_returns_zero_keeps_the_status_and_the_kqueue_delivers_afterwards(
      Pump pump) throws Exception {
    pump.assumeActive();
    Watching only = watching(pump);
    Waiter leader = new Waiter(only.kq(), "leader");
    leader.awaitRole(pump, Role.LEADER);
    leader.thread.interrupt();
    leader.assertReturned(0, true);
    Waiter next = new Waiter(only.kq(), "next");
    next.awaitRole(pump, Role.LEADER); // the interrupted thread gave the lead up
    only.watched().fire().run();
    next.assertReturned(1, false);
    assertEquals(only.watched().ident(), next.out[0].ident());
  }

  /** Two kqueues of one pump, a thread in kevent on each: the first leads, the second follows. */
  record LeaderAndFollower(Watching first, Watching second, Waiter leader, Waiter follower) {}

  private LeaderAndFollower leaderAndFollower(Pump pump) throws Exception {
    Watching first = watching(pump);
    Watching second = watching(pump);
    Waiter leader = new Waiter(first.kq(), "leader");
    leader.awaitRole(pump, Role.LEADER);
    Waiter follower = new Waiter(second.kq(), "follower");
    follower.awaitRole(pump, Role.FOLLOWER);
    return new LeaderAndFollower(first, second, leader, follower);
  }

  @ParameterizedTest
  @EnumSource(Pump.class)
  void interrupting_the_leader_hands_the_lead_to_the_follower_which_still_waits(Pump pump)
      throws Exception {
    pump.assumeActive();
    LeaderAndFollower both = leaderAndFollower(pump);
    both.leader().thread.interrupt();
    both.leader().assertReturned(0, true);
    both.follower().awaitRole(pump, Role.LEADER); // the most recent follower is offered the lead
    both.second().watched().fire().run();
    both.follower().assertReturned(1, false);
    assertEquals(both.second().watched().ident(), both.follower().out[0].ident());
    both.first().assertDelivers();
  }

  @ParameterizedTest
  @EnumSource(Pump.class)
  void interrupting_a_follower_returns_zero_and_leaves_the_leader_polling(Pump pump)
      throws Exception {
    pump.assumeActive();
    LeaderAndFollower both = leaderAndFollower(pump);
    both.follower().thread.interrupt();
    both.follower().assertReturned(0, true);
    both.leader().awaitRole(pump, Role.LEADER); // still in kevent, still polling
    both.first().watched().fire().run();
    both.leader().assertReturned(1, false);
    assertEquals(both.first().watched().ident(), both.leader().out[0].ident());
    both.second().assertDelivers();
  }
}
