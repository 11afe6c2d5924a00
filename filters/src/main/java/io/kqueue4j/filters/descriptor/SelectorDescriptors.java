package io.kqueue4j.filters.descriptor;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.spi.DescriptorSupport;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The portable fallback of {@link io.kqueue4j.FileDescriptors}, used where no native descriptor
 * support is available (no {@code native-linux} on Linux, or an OS without one): descriptors are
 * <em>tokens</em> that stand for JDK channels, not OS descriptors, numbered from {@value #FIRST}
 * upward so they cannot be mistaken for real ones. {@code EVFILT_READ}/{@code EVFILT_WRITE} on them
 * are fed by {@link SelectorReadinessSource}.
 *
 * <ul>
 *   <li>{@link #of(Channel)}: selectable channels (sockets, server sockets, datagram channels,
 *       pipes) and file channels; the same channel always gets the same token.
 *   <li>{@link #open(Path)}: a read-only {@link FileChannel}; {@link #pipe()}: a {@link Pipe}.
 *   <li>{@link #of(FileDescriptor)}: not possible without native help ({@code EOPNOTSUPP}).
 *   <li>{@link #close(int)} closes the channel.
 *   <li>{@link #newReadinessSignal()}: a token with no OS descriptor behind it, so an emulated
 *       kqueue's {@code fd()} nests in other emulated kqueues but not in {@code poll}/{@code epoll}.
 * </ul>
 */
public final class SelectorDescriptors implements DescriptorSupport {
  /** The value of {@link #name()}. */
  public static final String NAME = "portable-selector";
  /** The first token: above any OS's default descriptor limit. */
  public static final int FIRST = 1 << 24;

  private static final String NO_NATIVE =
      "the portable descriptor fallback watches JDK channels only"
          + " (on Linux, add io.kqueue4j:native-linux for real descriptors)";
  private static final AtomicInteger NEXT = new AtomicInteger(FIRST);
  private static final ConcurrentHashMap<Integer, Channel> BY_TOKEN = new ConcurrentHashMap<>();
  /** Guarded by itself. */
  private static final Map<Channel, Integer> BY_CHANNEL = new IdentityHashMap<>();

  /** Creates the fallback; {@link java.util.ServiceLoader} calls this. */
  public SelectorDescriptors() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return 0;
  }

  @Override
  public Throwable unavailabilityCause() {
    return null;
  }

  /** The channel behind {@code token}, or null. */
  static Channel channel(int token) {
    return BY_TOKEN.get(token);
  }

  @Override
  public boolean isOpen(int fd) {
    Channel channel = BY_TOKEN.get(fd);
    return channel != null && channel.isOpen();
  }

  @Override
  public int open(Path path) throws KQueueException {
    try {
      return token(FileChannel.open(path, StandardOpenOption.READ));
    } catch (NoSuchFileException e) {
      throw new KQueueException("open", Errno.ENOENT, path.toString(), e);
    } catch (AccessDeniedException e) {
      throw new KQueueException("open", Errno.EACCES, path.toString(), e);
    } catch (NotDirectoryException e) {
      throw new KQueueException("open", Errno.ENOTDIR, path.toString(), e);
    } catch (IOException | UnsupportedOperationException e) {
      throw new KQueueException("open", Errno.EIO, path + ": " + e, e);
    }
  }

  @Override
  public int[] pipe() throws KQueueException {
    try {
      Pipe pipe = Pipe.open();
      return new int[] {token(pipe.source()), token(pipe.sink())};
    } catch (IOException e) {
      throw new KQueueException("pipe", Errno.EIO, e.toString(), e);
    }
  }

  @Override
  public int of(Channel channel) throws KQueueException {
    if (!(channel instanceof SelectableChannel) && !(channel instanceof FileChannel)) {
      throw new KQueueException("fileno", Errno.EINVAL,
          channel.getClass().getName() + " is neither selectable nor a FileChannel: " + NO_NATIVE);
    }
    if (!channel.isOpen()) {
      throw new KQueueException("fileno", Errno.EBADF, "the channel is closed");
    }
    return token(channel);
  }

  @Override
  public int of(FileDescriptor fd) throws KQueueException {
    throw new KQueueException("fileno", Errno.EOPNOTSUPP,
        "a FileDescriptor has no channel to select on: " + NO_NATIVE);
  }

  @Override
  public void close(int fd) throws KQueueException {
    Channel channel = BY_TOKEN.remove(fd);
    if (channel == null) {
      throw new KQueueException("close", Errno.EBADF, "descriptor " + fd + " is not open");
    }
    synchronized (BY_CHANNEL) {
      BY_CHANNEL.remove(channel);
    }
    try {
      channel.close();
    } catch (IOException e) {
      throw new KQueueException("close", Errno.EIO, "descriptor " + fd + ": " + e, e);
    }
  }

  @Override
  public ReadinessSignal newReadinessSignal() {
    int token = NEXT.getAndIncrement();
    return new ReadinessSignal() {
      @Override
      public int fd() {
        return token;
      }

      @Override
      public void set(boolean readable) {}

      @Override
      public void close() {}
    };
  }

  private static int token(Channel channel) {
    synchronized (BY_CHANNEL) {
      Integer known = BY_CHANNEL.get(channel);
      if (known != null) {
        return known;
      }
      int token = NEXT.getAndIncrement();
      BY_CHANNEL.put(channel, token);
      BY_TOKEN.put(token, channel);
      return token;
    }
  }
}
