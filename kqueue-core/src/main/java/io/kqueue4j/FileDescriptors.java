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
   */
  public static int open(Path path) throws KQueueException {
    return Descriptors.support().open(path);
  }

  /** {@code pipe(2)} with close-on-exec: element 0 is the read end, element 1 the write end. */
  public static int[] pipe() throws KQueueException {
    return Descriptors.support().pipe();
  }

  /** The descriptor behind a JDK channel (socket, server socket, datagram, pipe, file channel). */
  public static int of(Channel channel) throws KQueueException {
    return Descriptors.support().of(channel);
  }

  /** The descriptor behind a {@link FileDescriptor}. */
  public static int of(FileDescriptor fd) throws KQueueException {
    return Descriptors.support().of(fd);
  }

  /**
   * {@code close(2)}: also removes the descriptor's knotes from every kqueue, without an event, as
   * the kernel does. Closing a kqueue's {@link KQueue#fd()} closes that kqueue.
   *
   * @throws KQueueException {@code EBADF} when {@code fd} is not open
   */
  public static void close(int fd) throws KQueueException {
    Descriptors.close(fd);
  }

  /** The name of the descriptor support in use, such as {@code "linux"} or {@code "portable"}. */
  public static String support() {
    return Descriptors.support().name();
  }
}
