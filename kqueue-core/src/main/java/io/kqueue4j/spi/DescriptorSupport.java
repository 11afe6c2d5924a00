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

  /** A short name for diagnostics, such as {@code "linux"} or {@code "portable"}. */
  String name();

  /** Higher wins when several providers are available. */
  int priority();

  /** Why this provider cannot run here, or {@code null} when it can. Must not throw. */
  Throwable unavailabilityCause();

  /** Whether {@code fd} is an open descriptor of this process ({@code fcntl(F_GETFD)}). */
  boolean isOpen(int fd);

  /**
   * {@code open(path, O_RDONLY | O_CLOEXEC)}, plus {@code O_EVTONLY} where the OS defines it
   * (macOS). A failure names the path.
   */
  int open(Path path) throws KQueueException;

  /** {@code pipe2(O_CLOEXEC)}: element 0 is the read end, element 1 the write end. */
  int[] pipe() throws KQueueException;

  /** The descriptor behind a JDK channel. */
  int of(Channel channel) throws KQueueException;

  /** The descriptor behind a {@link FileDescriptor}. */
  int of(FileDescriptor fd) throws KQueueException;

  /** {@code close(2)}. */
  void close(int fd) throws KQueueException;

  /**
   * A new descriptor that reads as readable to {@code poll}/{@code epoll} while it is raised: the
   * descriptor an emulated kqueue hands out as its {@code fd()}.
   */
  ReadinessSignal newReadinessSignal() throws KQueueException;

  /** A descriptor whose readability a program sets. */
  interface ReadinessSignal extends AutoCloseable {
    /** The descriptor. */
    int fd();

    /** Makes the descriptor readable ({@code true}) or not. Idempotent, thread-safe. */
    void set(boolean readable);

    @Override
    void close();
  }
}
