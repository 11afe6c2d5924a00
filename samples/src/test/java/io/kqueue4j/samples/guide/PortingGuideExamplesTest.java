package io.kqueue4j.samples.guide;

import static io.kqueue4j.KEvent.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.proc.WaitStatus;
import io.kqueue4j.filters.signal.Signals;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The Java half of every side-by-side example of {@code docs/porting-guide.md}, run on real data.
 * The code between the {@code // guide:} and {@code // end} comments is what the guide shows; keep
 * both in sync by hand.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "kqueue4j's descriptors, processes and signals are POSIX")
class PortingGuideExamplesTest {

  /** One job of the udata example: any object can ride in udata. */
  record Job(String name) {}

  @Test
  void timer_loop() throws Exception {
    String printed = Console.capture(() -> {
      // guide: port-timer-loop
      try (KQueue kq = KQueue.open()) {                  // kqueue(); closed at the end: close(kq)
        KEvent change = KEvent.of(1, EVFILT_TIMER, EV_ADD, NOTE_MSECONDS, 20, null);
        kq.kevent(new KEvent[] {change}, null, null);    // no eventlist: returns at once
        KEvent[] events = new KEvent[8];
        long ticks = 0;
        while (ticks < 3) {
          int n = kq.kevent(null, events, null);
          for (int i = 0; i < n; i++) {
            ticks += events[i].data();
          }
        }
        System.out.println(ticks >= 3);                  // true
      }
      // end
    });
    assertEquals("true\n", printed);
  }

  @Test
  void error_entries_and_errno() throws Exception {
    String printed = Console.capture(() -> {
      try (KQueue kq = KQueue.open()) {
        // guide: port-errors
        KEvent[] ch = {
          KEvent.of(99, EVFILT_USER, EV_DELETE, 0, 0, null),
          KEvent.of(5, EVFILT_USER, EV_ADD, 0, 0, null),
        };
        KEvent[] ev = new KEvent[2];
        int n = kq.kevent(ch, ev, null);
        for (int i = 0; i < n; i++) {
          if ((ev[i].flags() & EV_ERROR) != 0) {
            System.out.println("change " + ev[i].ident() + ": " + Errno.description((int) ev[i].data()));
          }
        }
        try {
          kq.kevent(ch, 1, null, 0, null);              // the first change again, no room for errors
        } catch (KQueueException e) {
          if (e.errno() == Errno.ENOENT) {
            System.out.println("already gone");
          }
        }
        // end
      }
    });
    assertEquals("change 99: No such file or directory\nalready gone\n", printed);
  }

  @Test
  void udata_is_any_object_and_keepudata_keeps_it() throws Exception {
    try (KQueue kq = KQueue.open()) {
      // guide: port-udata
      Job job = new Job("backup");
      kq.kevent(new KEvent[] {KEvent.of(1, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, job)}, null, null);
      // a change without EV_KEEPUDATA would store its own udata (null) in the knote
      kq.kevent(new KEvent[] {KEvent.of(1, EVFILT_USER, EV_KEEPUDATA, NOTE_TRIGGER, 0, null)}, null, null);
      KEvent[] ev = new KEvent[1];
      kq.kevent(null, ev, null);
      Job fired = (Job) ev[0].udata();                   // the same object: compared by identity
      // end
      assertSame(job, fired);
      kq.kevent(new KEvent[] {KEvent.of(1, EVFILT_USER, 0, NOTE_TRIGGER, 0, null)}, null, null);
      kq.kevent(null, ev, null);
      assertEquals(null, ev[0].udata(), "without EV_KEEPUDATA the change replaced udata");
    }
  }

  @Test
  void timespec_becomes_a_duration() throws Exception {
    try (KQueue kq = KQueue.open()) {
      // guide: port-timeout
      KEvent[] ev = new KEvent[8];
      KEventBuffer events = new KEventBuffer(8);
      int a = kq.kevent(null, ev, Duration.ofMillis(100));       // { 0, 100000000 }: 0 after 100 ms
      int b = kq.kevent(null, ev, Duration.ZERO);                // { 0, 0 }: polls
      int c = kq.kevent(null, events, TimeUnit.MILLISECONDS.toNanos(100));   // buffer form: nanos
      // kq.kevent(null, ev, null) waits forever, as a NULL timespec does
      // end
      assertEquals(0, a);
      assertEquals(0, b);
      assertEquals(0, c);
      KQueueException negative =
          assertThrows(KQueueException.class, () -> kq.kevent(null, ev, Duration.ofMillis(-1)));
      assertEquals(Errno.EINVAL, negative.errno());
    }
  }

  @Test
  void signal_with_the_jvm() throws Exception {
    SignalHandler before = Signal.handle(new Signal("USR1"), SignalHandler.SIG_IGN);
    try (KQueue kq = KQueue.open()) {
      // guide: port-signal
      Signals.ignore(Signals.SIGUSR1);                           // signal(SIGUSR1, SIG_IGN)
      kq.kevent(new KEvent[] {KEvent.of(Signals.SIGUSR1, EVFILT_SIGNAL, EV_ADD, 0, 0, null)}, null, null);
      Signal.raise(new Signal("USR1"));                          // raise(SIGUSR1)
      KEvent[] ev = new KEvent[1];
      kq.kevent(null, ev, Duration.ofSeconds(5));
      long deliveries = ev[0].data();                            // 1
      // end
      assertEquals(1, deliveries);
      assertEquals(Signals.SIGUSR1, ev[0].ident());
    } finally {
      Signal.handle(new Signal("USR1"), before);
    }
  }

  @Test
  void fork_exec_becomes_process_builder() throws Exception {
    String printed = Console.capture(() -> {
      try (KQueue kq = KQueue.open()) {
        // guide: port-proc
        Process child = new ProcessBuilder("sh", "-c", "exit 7").start();   // fork + exec
        int status;
        try {
          kq.kevent(new KEvent[] {KEvent.of(child.pid(), EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, child)},
              null, null);
          KEvent[] ev = new KEvent[1];
          kq.kevent(null, ev, null);
          status = WaitStatus.exitStatus(ev[0].data());               // WEXITSTATUS
        } catch (KQueueException e) {
          if (e.errno() != Errno.ESRCH) {
            throw e;
          }
          status = child.waitFor();           // it exited and the JDK reaped it before EV_ADD
        }
        System.out.println("exit " + status);
        // end
      }
    });
    assertEquals("exit 7\n", printed);
  }

  @Test
  void open_and_close_descriptors(@TempDir Path dir) throws Exception {
    Path path = Files.writeString(dir.resolve("watched"), "x");
    try (KQueue kq = KQueue.open()) {
      // guide: port-vnode
      KEvent[] ev = new KEvent[1];
      int fd = FileDescriptors.open(path);              // open(path, O_RDONLY | O_CLOEXEC)
      kq.kevent(new KEvent[] {KEvent.of(fd, EVFILT_VNODE, EV_ADD | EV_CLEAR, NOTE_WRITE, 0, null)},
          null, null);
      Files.writeString(path, "y", StandardOpenOption.APPEND);
      int n = kq.kevent(null, ev, null);                // 1, fflags NOTE_WRITE
      FileDescriptors.close(fd);                        // close(fd): the knote goes with it
      Files.writeString(path, "z", StandardOpenOption.APPEND);
      int after = kq.kevent(null, ev, Duration.ofMillis(200));   // 0
      // end
      assertEquals(1, n);
      assertEquals(NOTE_WRITE, ev[0].fflags());
      assertEquals(0, after);
    }
  }

  @Test
  void pipe_becomes_a_channel() throws Exception {
    try (KQueue kq = KQueue.open()) {
      // guide: port-pipe
      Pipe pipe = Pipe.open();                                  // pipe(fds)
      int rfd = FileDescriptors.of(pipe.source());              // fds[0]
      kq.kevent(new KEvent[] {KEvent.of(rfd, EVFILT_READ, EV_ADD, 0, 0, null)}, null, null);
      pipe.sink().write(ByteBuffer.wrap(new byte[] {'h', 'i'}));   // write(fds[1], "hi", 2)
      KEvent[] ev = new KEvent[1];
      kq.kevent(null, ev, null);                                // ev[0].data() == 2
      FileDescriptors.close(rfd);                               // close(fds[0])
      pipe.sink().close();                                      // close(fds[1]): no knote on it
      // end
      assertEquals(2, ev[0].data());
      assertEquals(rfd, ev[0].ident());
    }
  }

  @Test
  void raw_pipe_descriptors() throws Exception {
    try (KQueue kq = KQueue.open()) {
      // guide: port-raw-pipe
      int[] fds = FileDescriptors.pipe();                       // pipe2(fds, O_CLOEXEC)
      kq.kevent(new KEvent[] {KEvent.of(fds[1], EVFILT_WRITE, EV_ADD, 0, 0, null)}, null, null);
      KEvent[] ev = new KEvent[1];
      kq.kevent(null, ev, null);                                // writable: data = free space
      FileDescriptors.close(fds[0]);
      FileDescriptors.close(fds[1]);
      // end
      assertEquals(fds[1], ev[0].ident());
      assertTrue(ev[0].data() > 0);
    }
  }

  @Test
  void explicit_counts_as_in_c() throws Exception {
    try (KQueue kq = KQueue.open()) {
      // guide: port-counts
      KEvent[] changes = new KEvent[64];
      int nchanges = 0;
      changes[nchanges++] = KEvent.of(1, EVFILT_USER, EV_ADD | EV_RECEIPT, 0, 0, null);
      changes[nchanges++] = KEvent.of(2, EVFILT_USER, EV_ADD | EV_RECEIPT, 0, 0, null);
      KEvent[] events = new KEvent[64];
      int n = kq.kevent(changes, nchanges, events, events.length, Duration.ZERO);   // 2 receipts
      // end
      assertEquals(2, n);
      assertEquals(1, events[0].ident());
      assertEquals(2, events[1].ident());
    }
  }

  @Test
  void constants_keep_freebsd_values() throws Exception {
    assertEquals(-11, EVFILT_USER);
    assertEquals(-32, EVFILT_FSEVENT);
    assertEquals(2, NOTE_MSECONDS);
    assertEquals(0x10, NOTE_ABSTIME);
    assertEquals(0x4000, EV_ERROR);
    assertEquals(0x4000, EV_FLAG2);
    assertEquals(35, Errno.EAGAIN);
    assertEquals(45, Errno.EOPNOTSUPP);
    assertEquals(30, Signals.SIGUSR1);
    assertEquals(31, Signals.SIGUSR2);
    assertEquals(20, Signals.SIGCHLD);
  }

  @Test
  void filters_without_an_implementation() throws Exception {
    try (KQueue kq = KQueue.emulated()) {
      KEvent[] out = new KEvent[4];
      int n = kq.kevent(new KEvent[] {
        KEvent.of(1, EVFILT_EMPTY, EV_ADD, 0, 0, null),
        KEvent.of(1, EVFILT_AIO, EV_ADD, 0, 0, null),
        KEvent.of(1, EVFILT_PROCDESC, EV_ADD, 0, 0, null),
        KEvent.of(1, (short) 5, EV_ADD, 0, 0, null),
      }, out, Duration.ZERO);
      assertEquals(4, n);
      assertEquals(Errno.ENXIO, out[0].data(), out[0].toString());
      assertEquals(Errno.ENXIO, out[1].data(), out[1].toString());
      assertEquals(Errno.ENXIO, out[2].data(), out[2].toString());
      assertEquals(Errno.EINVAL, out[3].data(), "a positive filter is no filter");
    }
  }
}
