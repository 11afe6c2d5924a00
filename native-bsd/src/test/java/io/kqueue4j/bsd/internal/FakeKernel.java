package io.kqueue4j.bsd.internal;

import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.locks.LockSupport;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * A C library written in Java, for one {@link FakeAbi}: it decodes the bytes the binding writes
 * with that ABI's offsets, translates the OS's constants to FreeBSD's, lets the emulated kernel
 * ({@link KQueue#emulated()}) answer, and writes the answer back in the OS's shape and numbers.
 *
 * <p>It is strict where a kernel would be silent: non-zero {@code ext[]} words or padding in a
 * change, flags the OS does not define, a malformed timespec or an entry past the counts are
 * recorded as {@link #violations()}. Events it writes carry garbage in {@code ext[]} and padding,
 * so that a binding reading the wrong bytes sees it.
 *
 * <p>A call that may block runs on a helper thread and is awaited uninterruptibly, as a system
 * call ignores {@link Thread#interrupt()}.
 */
public final class FakeKernel implements KernelCalls {
  private static final long GARBAGE = 0xDEADBEEFCAFEF00DL;

  private final FakeAbi abi;
  private final Map<Integer, KQueue> queues = new ConcurrentHashMap<>();
  private final ThreadLocal<int[]> errno = ThreadLocal.withInitial(() -> new int[1]);
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final List<long[]> changeLog = new CopyOnWriteArrayList<>();
  private final ExecutorService blockers = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fake-kernel-wait");
    t.setDaemon(true);
    return t;
  });
  /** The threads waiting in a call that may block, as they would wait in the system call. */
  private final Set<Thread> blocked = ConcurrentHashMap.newKeySet();
  private volatile boolean userFilter = true;
  private volatile int failKqueueWith;

  public FakeKernel(FakeAbi abi) {
    this.abi = abi;
  }

  /** Makes the kernel refuse {@code EVFILT_USER}, as kernels before it had it. */
  FakeKernel withoutUserFilter() {
    userFilter = false;
    return this;
  }

  /** Makes {@code kqueue()} fail with this OS errno. */
  FakeKernel failingKqueue(int osErrno) {
    failKqueueWith = osErrno;
    return this;
  }

  public List<String> violations() {
    return violations;
  }

  /** Every change decoded, as the OS saw it: ident, filter, flags, fflags, data, udata. */
  List<long[]> changeLog() {
    return changeLog;
  }

  /** Whether {@code thread} is in a call that may block (waiting for the kernel's answer). */
  boolean isBlocked(Thread thread) {
    return blocked.contains(thread);
  }

  public int openQueues() {
    return queues.size();
  }

  @Override
  public String name() {
    return "fake " + abi.name().toLowerCase();
  }

  @Override
  public int errno() {
    return errno.get()[0];
  }

  private int fail(int freeBsdErrno) {
    errno.get()[0] = abi.errnoFromFreeBsd(freeBsdErrno);
    return -1;
  }

  @Override
  public int kqueue() {
    if (failKqueueWith != 0) {
      errno.get()[0] = failKqueueWith;
      return -1;
    }
    try {
      KQueue q = KQueue.emulated();
      int fd = q.fd();
      queues.put(fd, q);
      return fd;
    } catch (KQueueException e) {
      return fail(e.errno());
    }
  }

  @Override
  public int close(int fd) {
    KQueue q = queues.remove(fd);
    if (q == null) {
      return fail(9); // EBADF
    }
    q.close();
    return 0;
  }

  @Override
  public int kevent(int kq, long changes, int nchanges, long events, int nevents, long timeout) {
    KQueue q = queues.get(kq);
    if (q == null) {
      return fail(9); // EBADF
    }
    if (nchanges < 0 || nevents < 0 || (nchanges > 0 && changes == 0)
        || (nevents > 0 && events == 0)) {
      violations.add("bad counts or null arrays: " + nchanges + "@" + changes + ", " + nevents
          + "@" + events);
      return fail(14); // EFAULT
    }
    Duration wait = null;
    if (timeout != 0) {
      Pointer ts = memory(timeout, 16);
      long sec = ts.getLongLong(0); // time_t tv_sec
      long nsec = ts.getLongLong(8); // long tv_nsec
      if (sec < 0 || nsec < 0 || nsec >= 1_000_000_000L) {
        violations.add("bad timespec " + sec + "s " + nsec + "ns");
        return fail(22); // EINVAL
      }
      wait = Duration.ofSeconds(sec, nsec);
    }
    KEvent[] in = new KEvent[nchanges];
    if (nchanges > 0) {
      Pointer m = memory(changes, (long) nchanges * abi.size);
      for (int i = 0; i < nchanges; i++) {
        in[i] = decode(m, i);
      }
    }
    KEvent[] out = new KEvent[nevents];
    int n;
    try {
      if (wait == null || !wait.isZero()) {
        n = blocking(q, in, out, wait);
      } else {
        n = q.kevent(in, nchanges, out, nevents, wait);
      }
    } catch (KQueueException e) {
      int written = 0;
      while (written < nevents && out[written] != null) {
        written++;
      }
      encode(events, out, written);
      return fail(e.errno());
    }
    encode(events, out, n);
    return n;
  }

  private int blocking(KQueue q, KEvent[] in, KEvent[] out, Duration wait)
      throws KQueueException {
    Thread caller = Thread.currentThread();
    FutureTask<Integer> call =
        new FutureTask<>(() -> q.kevent(in, in.length, out, out.length, wait)) {
          @Override
          protected void done() {
            LockSupport.unpark(caller);
          }
        };
    blocked.add(caller);
    blockers.execute(call);
    // A system call neither sees nor clears Java's interrupt status, not even for a moment: the
    // binding reads other waiters' status while they are in the kernel. So no wait that consumes
    // it (Future.get would): park, which returns at once while the status is set, hence the yield.
    try {
      while (!call.isDone()) {
        if (caller.isInterrupted()) {
          Thread.yield();
        } else {
          LockSupport.park(this);
        }
      }
    } finally {
      blocked.remove(caller);
    }
    try {
      return call.get(); // done: returns without waiting or reading the status
    } catch (InterruptedException e) {
      throw new AssertionError("a completed call does not wait", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof KQueueException) {
        throw (KQueueException) e.getCause();
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private KEvent decode(Pointer m, int i) {
    long base = (long) i * abi.size;
    long ident = m.getLongLong(base);
    int osFilter = abi.wideFilter ? m.getInt(base + 8) : m.getShort(base + 8);
    int osFlags = abi.wideFilter ? m.getInt(base + 12) : m.getShort(base + 10) & 0xFFFF;
    int osFflags = m.getInt(base + abi.fflagsOffset());
    long data = m.getLongLong(base + abi.dataOffset());
    long udata = m.getLongLong(base + abi.udataOffset());
    changeLog.add(new long[] {ident, osFilter, osFlags, osFflags, data, udata});
    if (abi.wideFilter && m.getInt(base + 20) != 0) {
      violations.add("padding after fflags is not zero in change " + i);
    }
    for (int e = 0; e < abi.extCount; e++) {
      if (m.getLongLong(base + abi.extOffset + 8L * e) != 0) {
        violations.add("ext[" + e + "] is not zero in change " + i);
      }
    }
    if ((osFlags & ~abi.changeFlagMask()) != 0) {
      violations.add("flags 0x" + Integer.toHexString(osFlags) + " not defined by " + abi.os
          + " in change " + i);
    }
    Short filter = abi.filterToFreeBsd(osFilter);
    short f = filter == null ? (short) -99 : filter; // a filter the OS lacks: EINVAL
    int fflags = f == KEvent.EVFILT_TIMER ? abi.timerToFreeBsd(osFflags) : osFflags;
    if (f == KEvent.EVFILT_USER && !userFilter) {
      f = (short) -99;
    }
    return KEvent.of(ident, f, osFlags, fflags, data, udata == 0 ? null : udata);
  }

  private void encode(long events, KEvent[] out, int n) {
    if (n == 0) {
      return;
    }
    Pointer m = memory(events, (long) n * abi.size);
    for (int i = 0; i < n; i++) {
      KEvent ev = out[i];
      long base = (long) i * abi.size;
      for (long off = 0; off < abi.size; off += 8) {
        m.putLongLong(base + off, GARBAGE); // ext[] and padding
      }
      int osFilter = filterOut(ev);
      m.putLongLong(base, ev.ident());
      if (abi.wideFilter) {
        m.putInt(base + 8, osFilter);
        m.putInt(base + 12, ev.flags());
      } else {
        m.putShort(base + 8, (short) osFilter);
        m.putShort(base + 10, (short) ev.flags());
      }
      m.putInt(base + abi.fflagsOffset(), ev.fflags());
      long data = ev.data();
      if ((ev.flags() & KEvent.EV_ERROR) != 0) {
        data = abi.errnoFromFreeBsd((int) data);
      }
      m.putLongLong(base + abi.dataOffset(), data);
      Object udata = ev.udata();
      m.putLongLong(base + abi.udataOffset(), udata == null ? 0 : (Long) udata);
    }
  }

  /** The OS filter of an outgoing entry; an error entry for an unknown filter echoes what came in. */
  private int filterOut(KEvent ev) {
    if (ev.filter() == -99 && abi.os != FakeAbi.Os.FREEBSD) {
      return lastUnknownFilter(ev.ident());
    }
    return abi.filterFromFreeBsd(ev.filter());
  }

  private int lastUnknownFilter(long ident) {
    for (int i = changeLog.size() - 1; i >= 0; i--) {
      long[] c = changeLog.get(i);
      if (c[0] == ident && (abi.filterToFreeBsd((int) c[1]) == null || !userFilter)) {
        return (int) c[1];
      }
    }
    return 0;
  }

  private static Pointer memory(long address, long size) {
    return Runtime.getSystemRuntime().getMemoryManager().newPointer(address, size);
  }

  /** Closes every queue still open and stops the helper threads. */
  public void shutdown() {
    for (KQueue q : new ArrayList<>(queues.values())) {
      q.close();
    }
    queues.clear();
    blockers.shutdownNow();
  }
}
