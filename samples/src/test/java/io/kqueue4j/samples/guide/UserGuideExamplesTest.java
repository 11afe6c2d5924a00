package io.kqueue4j.samples.guide;

import static io.kqueue4j.KEvent.*;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.fsevent.FsEvent;
import io.kqueue4j.filters.descriptor.ReadinessSources;
import io.kqueue4j.filters.fsevent.FsEventSources;
import io.kqueue4j.filters.fsevent.FsWatcher;
import io.kqueue4j.filters.proc.ProcFilter;
import io.kqueue4j.filters.proc.WaitStatus;
import io.kqueue4j.filters.signal.Signals;
import io.kqueue4j.filters.vnode.VnodeSources;
import io.kqueue4j.kernel.Filters;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Every Java snippet of {@code docs/user-guide.md}, run on real data. The code between the {@code
 * // guide:} and {@code // end} comments is what the guide shows; keep both in sync by hand.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "kqueue4j's descriptors, processes and signals are POSIX")
class UserGuideExamplesTest {

  @Test
  void first_kevent() throws Exception {
    String printed = Console.capture(() -> {
      // guide: first-kevent
      try (KQueue kq = KQueue.open()) {
        KEvent[] changes = {KEvent.of(1, EVFILT_TIMER, EV_ADD | EV_ONESHOT, NOTE_MSECONDS, 50, "hello")};
        KEvent[] events = new KEvent[4];
        int n = kq.kevent(changes, events, Duration.ofSeconds(5));
        System.out.println(n + " " + events[0]);
      }
      // end
    });
    assertEquals("1 KEvent[ident=1, filter=EVFILT_TIMER, flags=EV_ONESHOT|EV_CLEAR, fflags=0x0,"
        + " data=1, udata=hello]\n", printed);
  }

  @Test
  void backends() throws Exception {
    String printed = Console.capture(() -> {
      // guide: backends
      try (KQueue kq = KQueue.open()) {
        System.out.println(kq.backend());           // "emulated", or "native freebsd12 (c)" ...
      }
      if (!KQueue.isNativeAvailable()) {
        System.out.println(KQueue.nativeUnavailabilityCause().getMessage());
      }
      try (KQueue kq = KQueue.emulated()) {          // the Java kernel, on every OS
        System.out.println(kq.backend());
      }
      // end
    });
    String[] lines = printed.split("\n");
    if (KQueue.isNativeAvailable()) {
      assertNull(KQueue.nativeUnavailabilityCause());
      assertTrue(lines[0].startsWith("native "), printed);
      assertEquals("emulated", lines[1]);
    } else {
      assertEquals(3, lines.length, printed);
      assertEquals("emulated", lines[0]);
      assertTrue(lines[1].startsWith("no native kqueue: "), printed);
      assertEquals("emulated", lines[2]);
    }
  }

  @Test
  @EnabledOnOs(value = OS.LINUX, disabledReason = "prints the names of the Linux sources")
  void which_sources_are_in_use() throws Exception {
    String printed = Console.capture(() -> {
      // guide: sources
      System.out.println(FileDescriptors.support());          // linux
      System.out.println(ReadinessSources.activeName());      // linux-epoll   (EVFILT_READ/WRITE)
      System.out.println(ProcFilter.sourceName());            // pidfd         (EVFILT_PROC)
      System.out.println(VnodeSources.activeName());          // linux-inotify (EVFILT_VNODE)
      System.out.println(FsEventSources.activeName());        // linux-inotify (FsWatcher)
      System.out.println(Filters.loadFailures());             // []: every filter provider loaded
      // end
    });
    String[] lines = printed.split("\n");
    assertEquals("linux", lines[0]);
    assertEquals("linux-epoll", lines[1]);
    assertEquals("pidfd", lines[2]);
    assertEquals("linux-inotify", lines[3]);
    assertTrue(lines[4].startsWith("linux-"), printed);
    assertEquals("[]", lines[5]);
  }

  @Test
  void user_filter_wakes_the_loop_from_another_thread() throws Exception {
    try (KQueue kq = KQueue.open()) {
      // guide: evfilt-user
      kq.kevent(new KEvent[] {KEvent.of(42, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, null)},
          null, Duration.ZERO);
      Thread worker = new Thread(() -> {
        try {   // NOTE_FFCOPY stores the low 24 bits of fflags: here a percentage
          kq.kevent(new KEvent[] {KEvent.of(42, EVFILT_USER, 0, NOTE_TRIGGER | NOTE_FFCOPY | 75, 0, null)},
              null, Duration.ZERO);
        } catch (KQueueException e) {
          throw new IllegalStateException(e);
        }
      });
      worker.start();
      KEvent[] out = new KEvent[1];
      kq.kevent(null, out, null);                     // returns when the worker has triggered
      System.out.println(out[0].fflags());            // 75
      // end
      worker.join();
      assertEquals(42, out[0].ident());
      assertEquals(EVFILT_USER, out[0].filter());
      assertEquals(EV_CLEAR, out[0].flags());
      assertEquals(75, out[0].fflags());
      assertEquals(0, kq.kevent(null, out, Duration.ZERO), "EV_CLEAR reset the trigger");
    }
  }

  @Test
  void periodic_timer_counts_expirations() throws Exception {
    try (KQueue kq = KQueue.open()) {
      // guide: evfilt-timer
      kq.kevent(new KEvent[] {KEvent.of(7, EVFILT_TIMER, EV_ADD, NOTE_MSECONDS, 20, null)},
          null, Duration.ZERO);                       // every 20 ms; EV_CLEAR is added for you
      Thread.sleep(100);
      KEvent[] out = new KEvent[1];
      kq.kevent(null, out, Duration.ofSeconds(5));
      long expirations = out[0].data();               // periods since the last delivery: >= 1
      // end
      assertEquals(7, out[0].ident());
      assertEquals(EV_CLEAR, out[0].flags());
      assertTrue(expirations >= 1, "expirations " + expirations);
    }
  }

  @Test
  void absolute_timer_fires_once_at_a_wall_clock_deadline() throws Exception {
    try (KQueue kq = KQueue.open()) {
      // guide: evfilt-timer-abstime
      long deadline = System.currentTimeMillis() + 50;          // milliseconds since the epoch
      kq.kevent(new KEvent[] {
          KEvent.of(8, EVFILT_TIMER, EV_ADD | EV_ONESHOT, NOTE_ABSTIME | NOTE_MSECONDS, deadline, null)},
          null, Duration.ZERO);
      KEvent[] out = new KEvent[1];
      int n = kq.kevent(null, out, Duration.ofSeconds(5));     // 1, at or after the deadline
      // end
      assertEquals(1, n);
      assertTrue(System.currentTimeMillis() >= deadline);
      assertEquals(8, out[0].ident());
      assertEquals(0, kq.kevent(null, out, Duration.ofMillis(100)), "fires once");
    }
  }

  @Test
  void read_and_write_on_a_pipe() throws Exception {
    try (KQueue kq = KQueue.open()) {
      // guide: evfilt-read-pipe
      Pipe pipe = Pipe.open();
      int rfd = FileDescriptors.of(pipe.source());     // the real descriptor behind the channel
      int wfd = FileDescriptors.of(pipe.sink());
      kq.kevent(new KEvent[] {KEvent.of(rfd, EVFILT_READ, EV_ADD, 0, 0, "reader")}, null, Duration.ZERO);
      pipe.sink().write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)));
      KEvent[] out = new KEvent[1];
      kq.kevent(null, out, Duration.ofSeconds(5));
      System.out.println(out[0].data());               // 5: bytes buffered
      FileDescriptors.close(wfd);                      // closes the sink channel, drops its knotes
      kq.kevent(null, out, Duration.ofSeconds(5));
      System.out.println(KEvent.flagNames(out[0].flags()) + " " + out[0].data());  // EV_EOF 5
      FileDescriptors.close(rfd);
      // end
      assertEquals(rfd, out[0].ident());
      assertEquals("reader", out[0].udata());
      assertEquals(EV_EOF, out[0].flags());
      assertEquals(5, out[0].data());
      assertFalse(pipe.source().isOpen(), "FileDescriptors.close closed the channel");
    }
  }

  @Test
  void write_on_a_pipe_reports_free_space() throws Exception {
    try (KQueue kq = KQueue.open()) {
      // guide: evfilt-write
      Pipe pipe = Pipe.open();
      int wfd = FileDescriptors.of(pipe.sink());
      kq.kevent(new KEvent[] {KEvent.of(wfd, EVFILT_WRITE, EV_ADD | EV_ONESHOT, 0, 0, null)},
          null, Duration.ZERO);
      KEvent[] out = new KEvent[1];
      kq.kevent(null, out, Duration.ofSeconds(5));
      long room = out[0].data();                        // bytes that can be written without blocking
      // end
      assertEquals(wfd, out[0].ident());
      assertTrue(room > 0, "free space " + room);
      FileDescriptors.close(wfd);
      pipe.source().close();
    }
  }

  @Test
  void listening_socket_reports_pending_connections() throws Exception {
    try (KQueue kq = KQueue.open()) {
      // guide: evfilt-read-listen
      ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
      int sfd = FileDescriptors.of(server);
      kq.kevent(new KEvent[] {KEvent.of(sfd, EVFILT_READ, EV_ADD, 0, 0, server)}, null, Duration.ZERO);
      SocketChannel client = SocketChannel.open(server.getLocalAddress());
      KEvent[] out = new KEvent[1];
      kq.kevent(null, out, Duration.ofSeconds(5));
      System.out.println(out[0].data());               // 1: connections waiting in accept()
      // end
      assertEquals(1, out[0].data());
      assertSame(server, out[0].udata());
      try (SocketChannel accepted = server.accept()) {
        assertNotNull(accepted);
      }
      client.close();
      FileDescriptors.close(sfd);
      assertFalse(server.isOpen());
    }
  }

  @Test
  void process_exit_with_its_status() throws Exception {
    String printed = Console.capture(() -> {
      try (KQueue kq = KQueue.open()) {
        // guide: evfilt-proc
        Process child = new ProcessBuilder("sh", "-c", "read line; exit 3").start();
        kq.kevent(new KEvent[] {KEvent.of(child.pid(), EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, child)},
            null, Duration.ZERO);
        child.getOutputStream().close();          // end of its input: the child exits 3
        KEvent[] out = new KEvent[1];
        kq.kevent(null, out, Duration.ofSeconds(10));
        KEvent ev = out[0];
        System.out.println(KEvent.flagNames(ev.flags()) + " " + ((ev.fflags() & NOTE_EXIT) != 0));
        System.out.println(WaitStatus.describe(ev.data()) + " " + WaitStatus.exitStatus(ev.data()));
        // end
        assertSame(child, ev.udata());
        assertEquals(child.pid(), ev.ident());
      }
    });
    assertEquals("EV_ONESHOT|EV_CLEAR|EV_EOF true\nexited 3 3\n", printed);
  }

  @Test
  void signal_deliveries_are_counted() throws Exception {
    SignalHandler before = Signal.handle(new Signal("USR1"), SignalHandler.SIG_IGN);
    try (KQueue kq = KQueue.open()) {
      // guide: evfilt-signal
      kq.kevent(new KEvent[] {KEvent.of(Signals.SIGUSR1, EVFILT_SIGNAL, EV_ADD, 0, 0, null)},
          null, Duration.ZERO);                       // ident: FreeBSD's number, 30 on every OS
      new ProcessBuilder("kill", "-USR1", Long.toString(ProcessHandle.current().pid()))
          .start().waitFor();
      KEvent[] out = new KEvent[1];
      kq.kevent(null, out, Duration.ofSeconds(5));
      System.out.println(out[0].ident() + " " + out[0].data());   // 30 1
      // end
      assertEquals(Signals.SIGUSR1, out[0].ident());
      assertEquals(EVFILT_SIGNAL, out[0].filter());
      assertEquals(EV_CLEAR, out[0].flags());
      assertEquals(1, out[0].data());
    } finally {
      Signal.handle(new Signal("USR1"), before);
    }
  }

  @Test
  void vnode_reports_writes_and_deletion(@TempDir Path dir) throws Exception {
    Path log = Files.writeString(dir.resolve("app.log"), "start\n");
    String printed = Console.capture(() -> {
      try (KQueue kq = KQueue.open()) {
        // guide: evfilt-vnode
        int fd = FileDescriptors.open(log);            // read-only, close-on-exec
        try {
          kq.kevent(new KEvent[] {KEvent.of(fd, EVFILT_VNODE, EV_ADD | EV_CLEAR,
              NOTE_WRITE | NOTE_EXTEND | NOTE_DELETE | NOTE_RENAME, 0, log)}, null, Duration.ZERO);
          Files.writeString(log, "more\n", StandardOpenOption.APPEND);
          KEvent[] out = new KEvent[1];
          kq.kevent(null, out, Duration.ofSeconds(5));
          System.out.println(out[0].fflags() == (NOTE_WRITE | NOTE_EXTEND));   // true
          Files.delete(log);
          kq.kevent(null, out, Duration.ofSeconds(5));
          System.out.println(out[0].fflags() == NOTE_DELETE);                  // true
        } finally {
          FileDescriptors.close(fd);                   // also removes the knote, as close(2) does
        }
        // end
      }
    });
    assertEquals("true\ntrue\n", printed);
  }

  @Test
  void fsevent_watches_a_tree(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("src/main"));
    String printed = Console.capture(() -> {
      try (KQueue kq = KQueue.emulated()) {
        // guide: evfilt-fsevent
        try (FsWatcher watcher = FsWatcher.builder().root(dir).build()) {   // every directory below
          kq.kevent(new KEvent[] {KEvent.of(watcher.id(), EVFILT_FSEVENT, EV_ADD | EV_CLEAR, 0, 0, watcher)},
              null, Duration.ZERO);
          Files.writeString(dir.resolve("src/main/A.java"), "class A {}");
          KEvent[] out = new KEvent[1];
          kq.kevent(null, out, Duration.ofSeconds(5));   // data: records queued
          FsWatcher fired = (FsWatcher) out[0].udata();
          for (FsEvent e; (e = fired.poll()) != null; ) {
            System.out.println(e.type() + " " + e.path());   // CREATE_FILE src/main/A.java, ...
          }
        }
        // end
      }
    });
    assertTrue(printed.startsWith("CREATE_FILE src/main/A.java\n"), printed);
  }

  @Test
  void kqueue_inside_a_kqueue() throws Exception {
    String printed = Console.capture(() -> {
      // guide: nesting
      try (KQueue outer = KQueue.open(); KQueue inner = KQueue.open()) {
        outer.kevent(new KEvent[] {KEvent.of(inner.fd(), EVFILT_READ, EV_ADD, 0, 0, inner)},
            null, Duration.ZERO);
        inner.kevent(new KEvent[] {KEvent.of(1, EVFILT_USER, EV_ADD, 0, 0, null),
            KEvent.of(1, EVFILT_USER, 0, NOTE_TRIGGER, 0, null)}, null, Duration.ZERO);
        KEvent[] out = new KEvent[1];
        outer.kevent(null, out, Duration.ofSeconds(5));
        System.out.println(out[0].udata() == inner && out[0].data() == 1);   // true: 1 event pending
      }
      // end
    });
    assertEquals("true\n", printed);
  }

  @Test
  void allocation_free_loop() throws Exception {
    try (KQueue kq = KQueue.open()) {
      // guide: buffer-loop
      KEventBuffer changes = new KEventBuffer(16);
      KEventBuffer events = new KEventBuffer(64);
      changes.add(1, EVFILT_TIMER, EV_ADD, NOTE_MSECONDS, 10, null);
      changes.add(2, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, null);
      long ticks = 0;
      while (ticks < 3) {
        kq.kevent(changes, events, -1);                // negative: wait forever; 0 polls
        changes.clear();
        for (int i = 0; i < events.size(); i++) {
          if ((events.flags(i) & EV_ERROR) != 0) {
            throw new KQueueException("kevent", (int) events.data(i), "change " + events.get(i));
          }
          if (events.filter(i) == EVFILT_TIMER) {
            ticks += events.data(i);
          }
        }
      }
      // end
      assertTrue(ticks >= 3);
      assertEquals(0, changes.size());
    }
  }

  @Test
  void per_change_errors_with_room_in_the_eventlist() throws Exception {
    String printed = Console.capture(() -> {
      try (KQueue kq = KQueue.open()) {
        // guide: errors-in-place
        KEvent[] changes = {
          KEvent.of(99, EVFILT_USER, EV_DELETE, 0, 0, null),                          // no such knote
          KEvent.of(5, EVFILT_USER, EV_ADD, 0, 0, null),                              // fine
          KEvent.of(3, EVFILT_TIMER, EV_ADD, NOTE_SECONDS | NOTE_MSECONDS, 1, null),  // two units
        };
        KEvent[] out = new KEvent[8];
        int n = kq.kevent(changes, out, null);    // returns at once: an error entry skips the wait
        for (int i = 0; i < n; i++) {
          System.out.println(Errno.name((int) out[i].data()) + " " + out[i]);
        }
        // end
        KEvent[] more = new KEvent[1];
        assertEquals(0, kq.kevent(new KEvent[] {KEvent.of(5, EVFILT_USER, EV_DELETE, 0, 0, null)},
            more, Duration.ZERO), "the change between the two errors was applied");
      }
    });
    assertEquals(
        "ENOENT KEvent[ident=99, filter=EVFILT_USER, flags=EV_ERROR, fflags=0x0, data=2, udata=null]\n"
        + "EINVAL KEvent[ident=3, filter=EVFILT_TIMER, flags=EV_ERROR, fflags=0x0, data=22, udata=null]\n",
        printed);
  }

  @Test
  void a_change_error_without_room_throws() throws Exception {
    String printed = Console.capture(() -> {
      try (KQueue kq = KQueue.open()) {
        // guide: errors-throw
        try {
          kq.kevent(new KEvent[] {KEvent.of(99, EVFILT_USER, EV_DELETE, 0, 0, null)}, null, Duration.ZERO);
        } catch (KQueueException e) {
          System.out.println(e.errno() == Errno.ENOENT);
          System.out.println(e.getMessage());
        }
        // end
      }
    });
    assertEquals("true\nkevent(..) failed: ENOENT (No such file or directory): EVFILT_USER ident 99:"
        + " no such knote\n", printed);
  }

  @Test
  void receipts_report_every_change() throws Exception {
    try (KQueue kq = KQueue.open()) {
      // guide: receipt
      KEvent[] changes = {
        KEvent.of(1, EVFILT_USER, EV_ADD | EV_RECEIPT, 0, 0, null),
        KEvent.of(2, EVFILT_USER, EV_ADD | EV_RECEIPT, 0, 0, null),
      };
      KEvent[] out = new KEvent[2];
      int n = kq.kevent(changes, out, null);   // 2: flags EV_ERROR, data 0 (success); no wait
      // end
      assertEquals(2, n);
      for (KEvent ev : out) {
        assertEquals(EV_ERROR, ev.flags(), ev.toString());
        assertEquals(0, ev.data());
      }
    }
  }

  @Test
  void descriptor_that_is_not_open_is_ebadf() throws Exception {
    try (KQueue kq = KQueue.open()) {
      KEvent[] out = new KEvent[1];
      int n = kq.kevent(new KEvent[] {KEvent.of(1_000_000, EVFILT_READ, EV_ADD, 0, 0, null)},
          out, Duration.ZERO);
      assertEquals(1, n);
      assertEquals(EV_ERROR, out[0].flags());
      assertEquals(Errno.EBADF, out[0].data());
    }
  }

  @Test
  void close_wakes_a_waiting_thread_with_ebadf() throws Exception {
    // guide: close-wakes
    KQueue kq = KQueue.open();
    CompletableFuture<Integer> errno = new CompletableFuture<>();
    Thread loop = new Thread(() -> {
      try {
        kq.kevent(null, new KEvent[8], null);       // waits for ever...
      } catch (KQueueException e) {
        errno.complete(e.errno());                  // ...until close(): EBADF (also if called after it)
      }
    });
    loop.start();
    kq.close();
    loop.join();
    // end
    assertEquals(Errno.EBADF, errno.getNow(-1));
  }

  @Test
  void interrupt_ends_a_wait_and_keeps_the_status() throws Exception {
    try (KQueue kq = KQueue.open()) {
      // guide: interrupt
      AtomicInteger returned = new AtomicInteger(-1);
      AtomicBoolean interrupted = new AtomicBoolean();
      Thread loop = new Thread(() -> {
        try {
          returned.set(kq.kevent(null, new KEvent[8], null));   // 0 events
          interrupted.set(Thread.currentThread().isInterrupted());   // true
        } catch (KQueueException e) {
          throw new IllegalStateException(e);
        }
      });
      loop.start();
      loop.interrupt();
      loop.join();
      // end
      assertEquals(0, returned.get());
      assertTrue(interrupted.get());
    }
  }

  @Test
  void waiting_thread_is_woken_by_an_interrupt_once_blocked() throws Exception {
    try (KQueue kq = KQueue.open()) {
      AtomicInteger returned = new AtomicInteger(-1);
      Thread loop = new Thread(() -> {
        try {
          returned.set(kq.kevent(null, new KEvent[8], null));
        } catch (KQueueException e) {
          throw new IllegalStateException(e);
        }
      });
      loop.start();
      await().atMost(5, TimeUnit.SECONDS).until(() -> loop.getState() == Thread.State.WAITING);
      loop.interrupt();
      loop.join(5_000);
      assertFalse(loop.isAlive());
      assertEquals(0, returned.get());
    }
  }
}
