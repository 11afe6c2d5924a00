package io.kqueue4j.spi;

import io.kqueue4j.KQueueException;
import java.io.FileDescriptor;
import java.nio.channels.Channel;
import java.nio.file.Path;

/**
 * Service interface for the OS-specific descriptor work behind {@link io.kqueue4j.FileDescriptors}
 * (module {@code native-linux} on Linux, {@code native-bsd} on the BSDs and macOS), found with
 * {@link java.util.ServiceLoader}; the provider
 * with the highest {@link #priority()} whose {@link #unavailabilityCause()} is {@code null} wins.
 *
 * <p>Implementations are thread-safe. Errors are {@link KQueueException}s carrying FreeBSD errno
 * values.
 */
public interface DescriptorSupport {

  /**
   * A short name for diagnostics, such as {@code "linux"} or {@code "portable"}.
   *
   * @return the name that {@link io.kqueue4j.FileDescriptors#support()} reports
   */
  String name();

  /**
   * Higher wins when several providers are available.
   *
   * @return this provider's rank, such as 100 for {@code native-linux} and 50 for {@code
   *     native-bsd}
   */
  int priority();

  /**
   * Why this provider cannot run here, or {@code null} when it can. Must not throw.
   *
   * @return the reason, or {@code null} when the provider may be chosen
   */
  Throwable unavailabilityCause();

  /**
   * Whether {@code fd} is an open descriptor of this process ({@code fcntl(F_GETFD)}).
   *
   * @param fd a descriptor number, 0 or more
   * @return {@code true} when it is open
   */
  boolean isOpen(int fd);

  /**
   * {@code open(path, O_RDONLY | O_CLOEXEC)}, plus {@code O_EVTONLY} where the OS defines it
   * (macOS). A failure names the path.
   *
   * @param path the file or directory to open
   * @return the new descriptor
   * @throws KQueueException with FreeBSD's errno for the failure of {@code open(2)}, or {@code
   *     EOPNOTSUPP} when this provider cannot open files
   */
  int open(Path path) throws KQueueException;

  /**
   * {@code pipe2(O_CLOEXEC)}: element 0 is the read end, element 1 the write end.
   *
   * @return the two new descriptors
   * @throws KQueueException with FreeBSD's errno for the failure of {@code pipe2(2)}, or {@code
   *     EOPNOTSUPP} when this provider cannot make pipes
   */
  int[] pipe() throws KQueueException;

  /**
   * The descriptor behind a JDK channel.
   *
   * @param channel an open channel of the JDK's own implementation
   * @return its descriptor, valid while the channel is open
   * @throws KQueueException as {@link ChannelDescriptors#fileno(Channel)} reports it: {@code
   *     EBADF} for a closed channel, {@code EINVAL} for one with no descriptor, {@code EOPNOTSUPP}
   *     when it cannot be read
   */
  int of(Channel channel) throws KQueueException;

  /**
   * The descriptor behind a {@link FileDescriptor}.
   *
   * @param fd a valid {@code FileDescriptor}
   * @return its descriptor number
   * @throws KQueueException as {@link ChannelDescriptors#fileno(FileDescriptor)} reports it:
   *     {@code EBADF} for a closed or never opened {@code fd}, {@code EOPNOTSUPP} when it cannot be
   *     read
   */
  int of(FileDescriptor fd) throws KQueueException;

  /**
   * {@code close(2)}.
   *
   * @param fd the descriptor to close
   * @throws KQueueException with {@code EBADF} when {@code fd} is not open, or FreeBSD's errno for
   *     another failure of {@code close(2)}
   */
  void close(int fd) throws KQueueException;

  /**
   * A new descriptor that reads as readable to {@code poll}/{@code epoll} while it is raised: the
   * descriptor an emulated kqueue hands out as its {@code fd()}.
   *
   * @return a new signal, not raised; close it when the kqueue closes
   * @throws KQueueException with FreeBSD's errno when the descriptor cannot be created
   */
  ReadinessSignal newReadinessSignal() throws KQueueException;

  /** A descriptor whose readability a program sets. */
  interface ReadinessSignal extends AutoCloseable {
    /**
     * The descriptor.
     *
     * @return the descriptor number, the same for the signal's whole life
     */
    int fd();

    /**
     * Makes the descriptor readable ({@code true}) or not. Idempotent, thread-safe.
     *
     * @param readable {@code true} to raise the signal, {@code false} to lower it
     */
    void set(boolean readable);

    @Override
    void close();
  }
}
