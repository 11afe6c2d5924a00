package io.kqueue4j.linux;

import io.kqueue4j.linux.internal.Availability;
import io.kqueue4j.linux.internal.DirectBuffers;
import io.kqueue4j.linux.internal.Libraries;
import io.kqueue4j.linux.internal.NativeLibrary;
import io.kqueue4j.linux.internal.OwnedFd;
import io.kqueue4j.linux.internal.Scratch;
import java.nio.ByteBuffer;

/**
 * {@code eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)}: a wake-up descriptor that epoll and poll see as
 * readable ({@link Epoll#EPOLLIN}) from {@link #signal()} until {@link #drain()}.
 *
 * <p>{@link #signal()} may be called from any thread and allocates nothing; signals before a drain
 * coalesce. {@link #close()} must not race with the other methods.
 */
public final class EventFd implements AutoCloseable {

  /** {@code EFD_SEMAPHORE}: a read returns 1 and decrements the counter rather than reset it. */
  public static final int EFD_SEMAPHORE = 1;
  /** {@code EFD_NONBLOCK}: a read of a zero counter fails with {@code EAGAIN}. */
  public static final int EFD_NONBLOCK = LibC.O_NONBLOCK;
  /** {@code EFD_CLOEXEC}: close the descriptor on {@code exec}; as {@link LibC#O_CLOEXEC}. */
  public static final int EFD_CLOEXEC = LibC.O_CLOEXEC;

  private final OwnedFd fd;

  private EventFd(int fd) {
    this.fd = new OwnedFd(fd);
  }

  /**
   * True when {@code eventfd} works here (probed once by creating and closing one).
   *
   * @return whether {@link #open()} can succeed on this system
   */
  public static boolean isAvailable() {
    return Probe.RESULT.isAvailable();
  }

  /**
   * Why {@link #isAvailable()} is false, or null.
   *
   * @return the failure of the probe, or null when eventfd is available
   */
  public static Throwable unavailabilityCause() {
    return Probe.RESULT.cause();
  }

  /**
   * {@code eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)}.
   *
   * @return a new eventfd with a zero counter, which the caller closes
   * @throws ErrnoException with {@code EMFILE} or {@code ENFILE} when the descriptor limit is
   *     reached, {@code ENODEV}, {@code ENOMEM}
   * @throws UnsupportedOperationException if {@link #isAvailable()} is false
   */
  public static EventFd open() throws ErrnoException {
    Probe.RESULT.require();
    return new EventFd(create());
  }

  /**
   * The eventfd descriptor, -1 once closed.
   *
   * @return the descriptor number, or -1
   */
  public int fd() {
    return fd.get();
  }

  /**
   * {@code write(fd, &(uint64_t){1}, 8)}: makes the descriptor readable. A counter already at its
   * maximum ({@code EAGAIN}) is signalled already, so that case is not an error.
   *
   * @throws ErrnoException with {@code EBADF} once closed
   */
  public void signal() throws ErrnoException {
    LibC.write(fd.get(), One.ADDRESS, Long.BYTES);
  }

  /**
   * {@code read(fd, &counter, 8)}: resets the counter, so the descriptor is no longer readable.
   *
   * @return the sum of the signals since the last drain, 0 when there were none
   * @throws ErrnoException with {@code EBADF} once closed
   */
  public long drain() throws ErrnoException {
    Scratch scratch = Scratch.get();
    int n = LibC.read(fd.get(), scratch.address(), Long.BYTES);
    return n == Long.BYTES ? scratch.buffer().getLong(0) : 0L;
  }

  /** {@code close(2)} of the eventfd. */
  @Override
  public void close() throws ErrnoException {
    fd.close();
  }

  private static int create() throws ErrnoException {
    int efd = Libraries.eventFd().functions().eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (efd < 0) {
      throw new ErrnoException("eventfd", NativeLibrary.errno());
    }
    return efd;
  }

  /** The {@code uint64_t} 1 that every signal writes, off-heap and never modified. */
  private static final class One {
    static final ByteBuffer MEMORY = DirectBuffers.allocate(Long.BYTES).putLong(0, 1L);
    static final long ADDRESS = DirectBuffers.address(MEMORY);
  }

  private static final class Probe {
    static final Availability RESULT =
        Availability.probe("eventfd", Libraries.eventFd(), () -> LibC.close(create()));
  }
}
