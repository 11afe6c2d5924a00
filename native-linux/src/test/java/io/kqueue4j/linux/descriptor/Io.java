package io.kqueue4j.linux.descriptor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.LibC;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Raw descriptor I/O and event helpers for the tests. */
final class Io {
  private Io() {}

  /** Writes {@code n} bytes to {@code fd}; returns how many were taken (-1 when full). */
  static int write(int fd, int n) throws ErrnoException {
    return LibC.write(fd, ByteBuffer.allocateDirect(n));
  }

  /** Reads up to {@code n} bytes from {@code fd}; returns the count, 0 at EOF, -1 when empty. */
  static int read(int fd, int n) throws ErrnoException {
    return LibC.read(fd, ByteBuffer.allocateDirect(n));
  }

  /** Makes {@code fd} non-blocking. */
  static void nonBlocking(int fd) throws ErrnoException {
    LibC.fcntl(fd, LibC.F_SETFL, LibC.fcntl(fd, LibC.F_GETFL) | LibC.O_NONBLOCK);
  }

  /** Writes until the descriptor is full; returns the bytes written. */
  static int fill(int fd) throws ErrnoException {
    nonBlocking(fd);
    int total = 0;
    ByteBuffer chunk = ByteBuffer.allocateDirect(4096);
    while (true) {
      chunk.clear();
      int n = LibC.write(fd, chunk);
      if (n < 0) {
        return total;
      }
      total += n;
    }
  }

  /** Closes through the kqueue4j API, ignoring a descriptor that is already closed. */
  static void closeQuietly(int... fds) {
    for (int fd : fds) {
      if (fd < 0) {
        continue;
      }
      try {
        FileDescriptors.close(fd);
      } catch (KQueueException e) {
        // EBADF
      }
    }
  }

  /** Applies one change; the change must succeed. */
  static void add(KQueue kq, long ident, short filter, int flags, int fflags, long data)
      throws KQueueException {
    kq.kevent(new KEvent[] {KEvent.of(ident, filter, flags, fflags, data, null)}, null,
        Duration.ZERO);
  }

  /** Applies one change with room for its error entry and returns the entry, or null. */
  static KEvent change(KQueue kq, long ident, short filter, int flags, int fflags, long data)
      throws KQueueException {
    KEvent[] out = new KEvent[1];
    KEvent[] changes = {KEvent.of(ident, filter, flags | KEvent.EV_RECEIPT, fflags, data, null)};
    int n = kq.kevent(changes, out, Duration.ZERO);
    return n == 0 ? null : out[0];
  }

  /** Every pending event, without waiting. */
  static KEvent[] poll(KQueue kq) throws KQueueException {
    KEvent[] out = new KEvent[64];
    int n = kq.kevent(null, out, Duration.ZERO);
    return Arrays.copyOf(out, n);
  }

  /** Waits up to 10 s for one event. */
  static KEvent next(KQueue kq) throws KQueueException {
    KEvent[] out = new KEvent[1];
    int n = kq.kevent(null, out, Duration.ofSeconds(10));
    assertEquals(1, n, "an event within 10 s");
    return out[0];
  }

  /**
   * Waits up to 10 s for an event for (ident, filter) with {@code EV_EOF}, passing over that
   * knote's events without it: Linux reports a change to the poller thread, so one event from
   * before the change may still be delivered after it.
   */
  static KEvent nextEof(KQueue kq, long ident, short filter) throws KQueueException {
    return nextWhere(kq, ident, filter, true);
  }

  /** Waits up to 10 s for events until one for (ident, filter) arrives; returns it. */
  static KEvent next(KQueue kq, long ident, short filter) throws KQueueException {
    return nextWhere(kq, ident, filter, false);
  }

  /**
   * Collects events for up to 10 s until one for (ident, filter), with {@code EV_EOF} when {@code
   * eof}, arrives; fails naming the first 16 events it passed over.
   */
  private static KEvent nextWhere(KQueue kq, long ident, short filter, boolean eof)
      throws KQueueException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<KEvent> seen = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      KEvent[] out = new KEvent[16];
      int n = kq.kevent(null, out, Duration.ofMillis(200));
      for (int i = 0; i < n; i++) {
        if (out[i].ident() == ident && out[i].filter() == filter
            && (!eof || (out[i].flags() & KEvent.EV_EOF) != 0)) {
          return out[i];
        }
        if (seen.size() < 16) {
          seen.add(out[i]);
        }
      }
    }
    throw new AssertionError("no " + (eof ? "EV_EOF" : "event") + " for " + ident + "/"
        + KEvent.filterName(filter) + " within 10 s; saw " + seen);
  }
}
