package io.kqueue4j.bsd.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * One thread's off-heap change and event arrays, its {@code struct timespec} and the bookkeeping of
 * the changes in flight, reused by every {@code kevent} call the thread makes on any native kqueue
 * (a thread is in one call at a time). The arrays grow by doubling and are then reused, so the
 * steady state allocates nothing.
 */
final class Scratch {
  private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

  ByteBuffer changes;
  long changesAddress;
  ByteBuffer events;
  long eventsAddress;
  final ByteBuffer timespec;
  final long timespecAddress;

  /** For submitted change {@code k}: its index in the caller's change list. */
  int[] origin = new int[16];
  /** For submitted change {@code k}: the OS filter id sent. */
  int[] osFilter = new int[16];
  /** For submitted change {@code k}: the new token sent, 0 if none. */
  long[] token = new long[16];
  /** For submitted change {@code k}: the API filter the caller named. */
  short[] filter = new short[16];
  /** For submitted change {@code k}: how its outcome moves tokens ({@code NativeKQueue.KIND_*}). */
  byte[] kind = new byte[16];
  /** For submitted change {@code k}: the errno it got (FreeBSD's), 0 on success, -1 unknown. */
  int[] outcome = new int[16];
  /** For output entry {@code j} of a change step: the submitted change it answers. */
  int[] answers = new int[16];

  private Scratch() {
    changes = allocate(256);
    changesAddress = address(changes);
    events = allocate(256);
    eventsAddress = address(events);
    timespec = allocate(KeventLayout.TIMESPEC_SIZE);
    timespecAddress = address(timespec);
  }

  static Scratch get() {
    return LOCAL.get();
  }

  void ensureChanges(int bytes, int count) {
    if (changes.capacity() < bytes) {
      changes = allocate(grow(changes.capacity(), bytes));
      changesAddress = address(changes);
    }
    if (origin.length < count) {
      int n = grow(origin.length, count);
      origin = new int[n];
      osFilter = new int[n];
      token = new long[n];
      filter = new short[n];
      kind = new byte[n];
      outcome = new int[n];
    }
  }

  void ensureEvents(int bytes, int count) {
    if (events.capacity() < bytes) {
      events = allocate(grow(events.capacity(), bytes));
      eventsAddress = address(events);
    }
    if (answers.length < count) {
      answers = new int[grow(answers.length, count)];
    }
  }

  private static int grow(int current, int needed) {
    int n = Math.max(current, 16);
    while (n < needed) {
      n *= 2;
    }
    return n;
  }

  private static ByteBuffer allocate(int bytes) {
    return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
  }

  private static long address(ByteBuffer direct) {
    return Pointer.wrap(Runtime.getSystemRuntime(), direct).address();
  }
}
