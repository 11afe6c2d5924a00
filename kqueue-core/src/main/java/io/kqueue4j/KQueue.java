package io.kqueue4j;

import io.kqueue4j.kernel.EmulatedKQueue;
import io.kqueue4j.spi.NativeKQueueProvider;
import java.time.Duration;

/**
 * A kernel event queue: {@code kqueue(2)} and {@code kevent(2)}.
 *
 * <p>Two backends implement it: the emulated kernel ({@link #emulated()}), a Java
 * reimplementation of FreeBSD's {@code kern_event.c} that runs on every OS, and the native
 * passthrough to the OS's own kqueue where one is found ({@link #isNativeAvailable()}). {@link
 * #open()} picks the best one here. A queue comes with every filter found on the class path.
 *
 * <p><b>Threads.</b> Every method may be called from any thread, concurrently, as the system calls
 * may: changes are applied in order within one call, and concurrent calls are linearizable per
 * knote. Actions taken by one thread before it registers or triggers a knote happen-before the
 * actions of a thread that receives the resulting event from {@code kevent}.
 *
 * <p><b>Waiting.</b> A {@code null} timeout waits until an event arrives; {@link Duration#ZERO}
 * polls. An interrupt ends a wait early, as {@link java.nio.channels.Selector#select()} does:
 * {@code kevent} returns the events collected so far (possibly none) and the thread's interrupt
 * status stays set. {@link #close()} wakes every waiting thread, whose call then fails with {@code
 * EBADF}.
 */
public interface KQueue extends AutoCloseable {

  /**
   * The best backend here: the native kqueue where available, otherwise the emulated kernel.
   *
   * @return a new, open queue; close it when done
   * @throws KQueueException with the errno of the native {@code kqueue(2)}, such as {@code EMFILE},
   *     {@code ENFILE} or {@code ENOMEM}, when the native queue cannot be created
   */
  static KQueue open() throws KQueueException {
    NativeKQueueProvider provider = NativeBackend.provider();
    return provider != null ? provider.open() : emulated();
  }

  /**
   * The emulated kernel, available on every OS.
   *
   * @return a new, open queue of the emulated kernel
   * @throws KQueueException when the queue cannot be created; the emulated kernel makes no system
   *     call here and does not fail today
   */
  static KQueue emulated() throws KQueueException {
    return EmulatedKQueue.open();
  }

  /**
   * Whether {@link #open()} returns the OS's own kqueue.
   *
   * @return {@code true} when a native backend was found and works here
   * @see #nativeUnavailabilityCause()
   */
  static boolean isNativeAvailable() {
    return NativeBackend.provider() != null;
  }

  /**
   * Why the native kqueue is not available, or {@code null} when it is.
   *
   * @return the reason given by the native backend, or one saying that none is on the class path;
   *     {@code null} when {@link #isNativeAvailable()}
   * @see #isNativeAvailable()
   */
  static Throwable nativeUnavailabilityCause() {
    return NativeBackend.unavailabilityCause();
  }

  /**
   * {@code kevent(2)}: applies {@code changelist}, then, unless a change produced an error entry
   * or a receipt, collects up to {@code eventlist.length} pending events.
   *
   * @param changelist changes to apply in order; {@code null} or empty for none
   * @param eventlist where events and per-change errors are stored; {@code null} or empty to only
   *     apply changes, in which case the first failing change throws
   * @param timeout how long to wait for an event; {@code null} waits forever
   * @return the number of entries stored in {@code eventlist}
   * @throws KQueueException with {@code EINVAL} for a negative or absurd timeout, {@code EBADF} when
   *     the queue is closed, or the errno of a failing change when {@code eventlist} has no room left
   */
  default int kevent(KEvent[] changelist, KEvent[] eventlist, Duration timeout)
      throws KQueueException {
    return kevent(
        changelist,
        changelist == null ? 0 : changelist.length,
        eventlist,
        eventlist == null ? 0 : eventlist.length,
        timeout);
  }

  /**
   * {@code kevent(2)} with explicit counts, as in C.
   *
   * <p>An entry of {@code eventlist} that already holds the event to store (equal fields, the same
   * {@code udata} object) may be left in place rather than replaced by a new, equal {@link KEvent}.
   *
   * @param changelist changes to apply in order; may be {@code null} when {@code nchanges} is 0
   * @param nchanges how many entries of {@code changelist} to apply, from index 0
   * @param eventlist where events and per-change errors are stored; may be {@code null} when
   *     {@code nevents} is 0
   * @param nevents how many entries of {@code eventlist} may be stored; 0 only applies changes and
   *     returns at once
   * @param timeout how long to wait for an event; {@code null} waits forever, {@link
   *     Duration#ZERO} polls
   * @return the number of entries stored in {@code eventlist}, 0 on timeout
   * @throws KQueueException with {@code EINVAL} for a count outside 0 to the array's length or a
   *     negative or absurd timeout, {@code EFAULT} for a {@code null} change within {@code
   *     nchanges}, {@code EBADF} when the queue is closed, or the errno of a failing change when
   *     {@code eventlist} has no room left
   * @see #kevent(KEvent[], KEvent[], Duration)
   */
  int kevent(KEvent[] changelist, int nchanges, KEvent[] eventlist, int nevents, Duration timeout)
      throws KQueueException;

  /**
   * The allocation-free form of {@code kevent(2)}: applies the {@link KEventBuffer#size()} changes
   * of {@code changes} and stores events in {@code events}, whose size is set to the number stored.
   *
   * @param changes changes to apply, or {@code null}
   * @param events where events are stored, up to its capacity, or {@code null}
   * @param timeoutNanos how long to wait in nanoseconds; negative waits forever, 0 polls
   * @return the number of entries stored in {@code events}, 0 on timeout
   * @throws KQueueException as {@link #kevent(KEvent[], int, KEvent[], int, Duration)} does:
   *     {@code EBADF} when the queue is closed, or the errno of a failing change when {@code
   *     events} has no room left
   */
  int kevent(KEventBuffer changes, KEventBuffer events, long timeoutNanos) throws KQueueException;

  /**
   * The descriptor that stands for this queue: register it with {@code EVFILT_READ} in another
   * queue to nest queues. On the native backend it is the kernel's own descriptor. On the emulated
   * one it is a real descriptor where the platform offers one (an eventfd on Linux) that {@code
   * poll}/{@code epoll} see readable while events are pending.
   *
   * @return the queue's descriptor, valid until the queue is closed
   * @throws KQueueException with {@code EBADF} when the queue is closed
   */
  int fd() throws KQueueException;

  /**
   * Which backend this is, for diagnostics: {@code "emulated"} or the native library's name.
   *
   * @return a short description, such as {@code "emulated"} or {@code "native freebsd12 (c)"}
   */
  String backend();

  /**
   * Closes the queue: every knote is detached through its filter, threads waiting in {@code
   * kevent} wake and fail with {@code EBADF}, and so does every later call. Idempotent.
   */
  @Override
  void close();
}
