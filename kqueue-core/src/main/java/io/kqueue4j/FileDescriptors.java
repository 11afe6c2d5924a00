package io.kqueue4j;

import io.kqueue4j.kernel.Descriptors;
import java.io.FileDescriptor;
import java.nio.channels.Channel;
import java.nio.file.Path;

/**
 * Real OS file descriptors, as C programs use them with kqueue: the ident of {@code EVFILT_READ},
 * {@code EVFILT_WRITE} and {@code EVFILT_VNODE}. The OS-specific work is found at run time (module
 * {@code native-linux} on Linux, {@code native-bsd} on FreeBSD, macOS, NetBSD and OpenBSD); {@link
 * #support()} names the one in use.
 *
 * <p>Thread-safe.
 */
public final class FileDescriptors {
  private FileDescriptors() {}

  /**
   * {@code open(path, O_RDONLY | O_CLOEXEC)}, plus {@code O_EVTONLY} on macOS, the only OS that
   * defines it (there the descriptor does not keep the file's volume from being unmounted): a
   * descriptor to watch with {@code EVFILT_VNODE}.
   *
   * <p>As with {@code open(2)}, opening a FIFO waits until a writer opens it too, and {@link
   * Thread#interrupt()} does not end that wait (a thread in a system call does not see it); open
   * FIFOs whose writer may never come from a thread that can be left waiting.
   *
   * @param path the file or directory to open; a symbolic link is followed
   * @return the new descriptor; close it with {@link #close(int)}
   * @throws KQueueException with the errno of {@code open(2)} ({@code ENOENT}, {@code EACCES},
   *     {@code ELOOP}, ...) and the path in the message, or {@code EOPNOTSUPP} when the support in
   *     use cannot open files
   */
  public static int open(Path path) throws KQueueException {
    return Descriptors.support().open(path);
  }

  /**
   * {@code pipe(2)} with close-on-exec: element 0 is the read end, element 1 the write end.
   *
   * @return the two new descriptors; close each with {@link #close(int)}
   * @throws KQueueException with the errno of {@code pipe(2)} ({@code EMFILE}, {@code ENFILE}), or
   *     {@code EOPNOTSUPP} when the support in use cannot make pipes
   */
  public static int[] pipe() throws KQueueException {
    return Descriptors.support().pipe();
  }

  /**
   * The descriptor behind a JDK channel (socket, server socket, datagram, pipe, file channel).
   *
   * @param channel an open channel of the JDK's own implementation
   * @return its descriptor, valid while the channel is open; closing it closes the channel
   * @throws KQueueException with {@code EBADF} for a closed channel, {@code EINVAL} for a channel
   *     with no JDK descriptor inside, {@code EOPNOTSUPP} when the descriptor cannot be read (see
   *     {@link io.kqueue4j.spi.ChannelDescriptors}) or the support in use has no descriptors
   */
  public static int of(Channel channel) throws KQueueException {
    return Descriptors.support().of(channel);
  }

  /**
   * The descriptor behind a {@link FileDescriptor}.
   *
   * @param fd a valid {@code FileDescriptor}, such as a stream's {@code getFD()}
   * @return its descriptor number, valid while the object that owns it is open
   * @throws KQueueException with {@code EBADF} for a closed or never opened {@code fd}, {@code
   *     EOPNOTSUPP} when the number cannot be read or the support in use has no descriptors
   */
  public static int of(FileDescriptor fd) throws KQueueException {
    return Descriptors.support().of(fd);
  }

  /**
   * {@code close(2)}: also removes the descriptor's knotes from every kqueue, without an event, as
   * the kernel does. Closing a kqueue's {@link KQueue#fd()} closes that kqueue. It may wait, as the
   * kernel does and not cut short by an interrupt (the interrupt status stays set), for a knote of
   * {@code fd} that another thread is registering, changing or delivering (a knote in flux).
   *
   * @param fd a descriptor, such as one from {@link #open(Path)}, {@link #pipe()} or {@link
   *     KQueue#fd()}
   * @throws KQueueException {@code EBADF} when {@code fd} is not open
   */
  public static void close(int fd) throws KQueueException {
    Descriptors.close(fd);
  }

  /**
   * The name of the descriptor support in use, such as {@code "linux"} or {@code "portable"}.
   *
   * @return the {@link io.kqueue4j.spi.DescriptorSupport#name()} of the provider in use: {@code
   *     "linux"} ({@code native-linux}), {@code "posix"} ({@code native-bsd}), {@code
   *     "portable-selector"} ({@code filters}: numbers that stand for JDK channels, not OS
   *     descriptors) or {@code "portable"} (no descriptor operations)
   */
  public static String support() {
    return Descriptors.support().name();
  }
}
