package io.kqueue4j.bsd.internal;

import static io.kqueue4j.KEvent.EVFILT_USER;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.NOTE_TRIGGER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.KEventBuffer;
import java.lang.management.ManagementFactory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;

/**
 * The {@link KEventBuffer} form of {@code kevent} allocates nothing once warm: changes, events,
 * tokens and the wait all reuse memory. Measured with the JVM's per-thread allocation counter
 * against a kernel that allocates nothing either.
 */
class ZeroAllocationTest {

  /**
   * A kernel that answers each call that has room with one event: the first change's ident and
   * udata with {@code EV_CLEAR}, or the last ones seen. FreeBSD 12 layout.
   */
  static final class EchoKernel implements KernelCalls {
    private final KeventLayout layout = KeventLayout.FREEBSD12;
    private final long[] addresses = new long[2];
    private final Pointer[] pointers = new Pointer[2];
    private long ident = 1;
    private long udata;

    /** A pointer per array, made once: the test kernel must not allocate either. */
    private Pointer at(int which, long address) {
      if (addresses[which] != address) {
        pointers[which] = Runtime.getSystemRuntime().getMemoryManager().newPointer(address, 1 << 20);
        addresses[which] = address;
      }
      return pointers[which];
    }

    @Override
    public int kqueue() {
      return 3;
    }

    @Override
    public int kevent(int kq, long changes, int nchanges, long events, int nevents, long timeout) {
      if (nchanges > 0) {
        Pointer c = at(0, changes);
        if (c.getLongLong(0) != NativeKQueue.WAKE_IDENT) {
          ident = c.getLongLong(0);
          udata = c.getLongLong(layout.udataOffset());
        }
      }
      if (nevents == 0) {
        return 0;
      }
      Pointer e = at(1, events);
      e.putLongLong(0, ident);
      e.putShort(8, EVFILT_USER);
      e.putShort(layout.flagsOffset(), (short) EV_CLEAR);
      e.putInt(layout.fflagsOffset(), 0);
      e.putLongLong(layout.dataOffset(), 0);
      e.putLongLong(layout.udataOffset(), udata);
      return 1;
    }

    @Override
    public int close(int fd) {
      return 0;
    }

    @Override
    public int errno() {
      return 0;
    }

    @Override
    public String name() {
      return "echo";
    }
  }

  @Test
  void the_buffer_form_allocates_nothing_once_warm() throws Exception {
    java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    assumeTrue(bean instanceof com.sun.management.ThreadMXBean,
        "this JVM has no per-thread allocation counter");
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
    assumeTrue(threads.isThreadAllocatedMemorySupported(),
        "this JVM does not count allocation per thread");
    threads.setThreadAllocatedMemoryEnabled(true);

    NativeKQueue kq = NativeKQueue.open(new EchoKernel(), KeventLayout.FREEBSD12);
    Object udata = new Object();
    KEventBuffer changes = new KEventBuffer(4);
    KEventBuffer events = new KEventBuffer(16);
    long tid = Thread.currentThread().getId();
    for (int round = 0; round < 2; round++) {
      long before = threads.getThreadAllocatedBytes(tid);
      for (int i = 0; i < 50_000; i++) {
        changes.clear();
        changes.add(1, EVFILT_USER, 0, NOTE_TRIGGER, 0, udata);
        kq.kevent(changes, events, 0); // the change step, which also polls
        kq.kevent(null, events, 0); // a poll
        kq.kevent(null, events, 1_000_000_000L); // a timed wait
      }
      long allocated = threads.getThreadAllocatedBytes(tid) - before;
      if (round == 1) {
        assertEquals(1, events.size());
        assertSame(udata, events.udata(0));
        assertEquals(0, allocated, "bytes allocated by 150,000 warm kevent calls");
      }
    }
    kq.close();
  }
}
