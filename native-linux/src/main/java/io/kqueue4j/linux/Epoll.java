package io.kqueue4j.linux;

import io.kqueue4j.linux.internal.Availability;
import io.kqueue4j.linux.internal.EpollFunctions;
import io.kqueue4j.linux.internal.Libraries;
import io.kqueue4j.linux.internal.NativeLibrary;
import io.kqueue4j.linux.internal.OwnedFd;
import io.kqueue4j.linux.internal.Scratch;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * {@code epoll_create1(EPOLL_CLOEXEC)}: one epoll instance, its interest list changed with {@code
 * epoll_ctl} and waited on with {@code epoll_wait}.
 *
 * <p>{@link #add}, {@link #modify} and {@link #delete} may be called from any thread, also while
 * another thread waits. {@link #waitEvents} allocates nothing. {@link #close()} must not race with
 * the other methods: a descriptor number freed by close can be handed out again at once.
 */
public final class Epoll implements AutoCloseable {

  /** {@code EPOLLIN}: the descriptor is readable (data, a connection to accept, or end of file). */
  public static final int EPOLLIN = 0x001;
  /** {@code EPOLLPRI}: exceptional condition, such as TCP out-of-band data. */
  public static final int EPOLLPRI = 0x002;
  /** {@code EPOLLOUT}: the descriptor is writable. */
  public static final int EPOLLOUT = 0x004;
  /** {@code EPOLLERR}: an error is pending; always reported, need not be requested. */
  public static final int EPOLLERR = 0x008;
  /** {@code EPOLLHUP}: hang-up, such as a pipe's write end closed; always reported. */
  public static final int EPOLLHUP = 0x010;
  /** {@code EPOLLRDHUP}: the peer shut down its writing side of a stream socket (Linux 2.6.17). */
  public static final int EPOLLRDHUP = 0x2000;
  /** {@code EPOLLEXCLUSIVE}: of the epolls attached with it, wake one or more, not all. */
  public static final int EPOLLEXCLUSIVE = 1 << 28;
  /** {@code EPOLLWAKEUP}: keep the system from suspending while the event is pending. */
  public static final int EPOLLWAKEUP = 1 << 29;
  /** {@code EPOLLONESHOT}: report once, then disable until {@code EPOLL_CTL_MOD} re-arms it. */
  public static final int EPOLLONESHOT = 1 << 30;
  /** {@code EPOLLET}: edge-triggered, reported on a change of readiness (like {@code EV_CLEAR}). */
  public static final int EPOLLET = 1 << 31;

  /** {@code EPOLL_CTL_ADD}: add a descriptor to the interest list. */
  public static final int EPOLL_CTL_ADD = 1;
  /** {@code EPOLL_CTL_DEL}: remove a descriptor from the interest list. */
  public static final int EPOLL_CTL_DEL = 2;
  /** {@code EPOLL_CTL_MOD}: change the mask and data of a registered descriptor. */
  public static final int EPOLL_CTL_MOD = 3;

  /** {@code EPOLL_CLOEXEC}: {@code epoll_create1} flag, same value as {@link LibC#O_CLOEXEC}. */
  public static final int EPOLL_CLOEXEC = LibC.O_CLOEXEC;

  private final OwnedFd fd;

  private Epoll(int fd) {
    this.fd = new OwnedFd(fd);
  }

  /**
   * True when {@code epoll_create1} works here (probed once by creating and closing one).
   *
   * @return whether {@link #open()} can succeed on this system
   */
  public static boolean isAvailable() {
    return Probe.RESULT.isAvailable();
  }

  /**
   * Why {@link #isAvailable()} is false, or null.
   *
   * @return the failure of the probe, or null when epoll is available
   */
  public static Throwable unavailabilityCause() {
    return Probe.RESULT.cause();
  }

  /**
   * {@code epoll_create1(EPOLL_CLOEXEC)}.
   *
   * @return a new epoll instance, which the caller closes
   * @throws ErrnoException with {@code EMFILE} or {@code ENFILE} when the descriptor limit is
   *     reached, {@code ENOMEM}
   * @throws UnsupportedOperationException if {@link #isAvailable()} is false
   */
  public static Epoll open() throws ErrnoException {
    Probe.RESULT.require();
    return new Epoll(create());
  }

  /**
   * The epoll descriptor, -1 once closed.
   *
   * @return the descriptor number, or -1
   */
  public int fd() {
    return fd.get();
  }

  /**
   * {@code epoll_ctl(EPOLL_CTL_ADD)}: watch {@code target} for {@code events}, tagged {@code data}.
   *
   * @param target the descriptor to watch
   * @param events the {@code EPOLL*} mask of conditions and flags ({@link #EPOLLET}, ...)
   * @param data the value {@link EpollEventArray#data} returns for this descriptor's events
   * @throws ErrnoException with {@code EEXIST} if {@code target} is already watched, {@code EPERM}
   *     if it does not support epoll (a regular file or directory), {@code EBADF}, {@code EINVAL},
   *     {@code ELOOP}, {@code ENOMEM}, or {@code ENOSPC} at {@code max_user_watches}
   */
  public void add(int target, int events, long data) throws ErrnoException {
    control(EPOLL_CTL_ADD, target, events, data);
  }

  /**
   * {@code epoll_ctl(EPOLL_CTL_MOD)}: replace the mask and data of a watched descriptor.
   *
   * @param target the watched descriptor
   * @param events the new {@code EPOLL*} mask
   * @param data the new value for {@link EpollEventArray#data}
   * @throws ErrnoException with {@code ENOENT} if {@code target} is not watched, {@code EBADF},
   *     {@code EINVAL} (also for {@link #EPOLLEXCLUSIVE}), {@code ENOMEM}
   */
  public void modify(int target, int events, long data) throws ErrnoException {
    control(EPOLL_CTL_MOD, target, events, data);
  }

  /**
   * {@code epoll_ctl(EPOLL_CTL_DEL)}: stop watching {@code target}.
   *
   * @param target the watched descriptor
   * @throws ErrnoException with {@code ENOENT} if {@code target} is not watched, {@code EBADF} if
   *     it is not open, {@code EINVAL}
   */
  public void delete(int target) throws ErrnoException {
    control(EPOLL_CTL_DEL, target, 0, 0L);
  }

  private void control(int op, int target, int events, long data) throws ErrnoException {
    Scratch scratch = Scratch.get();
    ByteBuffer event = scratch.buffer();
    event.putInt(0, events);
    event.putLong(EpollEventArray.DATA_OFFSET, data);
    if (functions().epoll_ctl(fd.get(), op, target, scratch.address()) < 0) {
      throw new ErrnoException("epoll_ctl", NativeLibrary.errno(), opName(op) + " fd " + target);
    }
  }

  /**
   * {@code epoll_wait}: waits up to {@code timeoutMillis} (-1 forever, 0 to poll) for ready
   * descriptors and stores them in {@code events}. An {@code EINTR} is retried with the time that
   * is left, so a signal neither ends the wait early nor extends it.
   *
   * @param events the array to fill; at most {@link EpollEventArray#capacity()} entries
   * @param timeoutMillis milliseconds to wait, -1 to wait forever, 0 to return at once
   * @return the number of entries filled, 0 when the timeout passed
   * @throws ErrnoException with {@code EBADF} once closed, {@code EINVAL}; never {@code EINTR}
   */
  public int waitEvents(EpollEventArray events, int timeoutMillis) throws ErrnoException {
    EpollFunctions epoll = functions();
    long deadline =
        timeoutMillis > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis) : 0L;
    int timeout = timeoutMillis;
    while (true) {
      int n = epoll.epoll_wait(fd.get(), events.address(), events.capacity(), timeout);
      if (n >= 0) {
        return n;
      }
      int errno = NativeLibrary.errno();
      if (errno != LinuxErrno.EINTR) {
        throw new ErrnoException("epoll_wait", errno);
      }
      if (timeoutMillis > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return 0;
        }
        timeout = (int) Math.max(1L, TimeUnit.NANOSECONDS.toMillis(left));
      }
    }
  }

  /** {@code close(2)} of the epoll descriptor; later calls fail with {@code EBADF}. */
  @Override
  public void close() throws ErrnoException {
    fd.close();
  }

  private static String opName(int op) {
    switch (op) {
      case EPOLL_CTL_ADD:
        return "EPOLL_CTL_ADD";
      case EPOLL_CTL_MOD:
        return "EPOLL_CTL_MOD";
      case EPOLL_CTL_DEL:
        return "EPOLL_CTL_DEL";
      default:
        return "op " + op;
    }
  }

  private static int create() throws ErrnoException {
    int epfd = Libraries.epoll().functions().epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) {
      throw new ErrnoException("epoll_create1", NativeLibrary.errno());
    }
    return epfd;
  }

  private static EpollFunctions functions() {
    return Libraries.epoll().functions();
  }

  private static final class Probe {
    static final Availability RESULT =
        Availability.probe("epoll", Libraries.epoll(), () -> LibC.close(create()));
  }
}
