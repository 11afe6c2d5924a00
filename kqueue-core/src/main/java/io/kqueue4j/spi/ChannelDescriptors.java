package io.kqueue4j.spi;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OS descriptor inside JDK objects: {@link FileDescriptor}'s private {@code int fd}, and the
 * private {@code FileDescriptor fd} that every JDK channel implementation keeps ({@code
 * SocketChannel}, {@code ServerSocketChannel}, {@code DatagramChannel}, {@code Pipe.SourceChannel},
 * {@code Pipe.SinkChannel}, {@code FileChannel}, ...), on JDK 17 to 25 without JVM flags.
 *
 * <p>Each field is read by reflection when the user opened its package ({@value #REQUIRED_FLAGS}),
 * else through {@code sun.misc.Unsafe} (JDK 24+ then prints a one-time warning), else an {@link
 * UnsupportedOperationException} names the flags. {@link #mechanism(Class)} tells which is used. No
 * native call is made, so this works on every OS where the JDK keeps these fields: {@link
 * DescriptorSupport} providers use it for {@link DescriptorSupport#of(Channel)} and {@link
 * DescriptorSupport#of(FileDescriptor)}.
 *
 * <p>Thread-safe. A number read here stays valid only while the JDK object is open: the JDK closes
 * it when the object is closed, and the OS may hand it out again.
 */
public final class ChannelDescriptors {

  /** The flags that let reflection read both fields (the target is the caller's module). */
  public static final String REQUIRED_FLAGS =
      "--add-opens java.base/java.io=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED";

  /** How a descriptor field is read. */
  public enum Mechanism {
    /** {@code Field.setAccessible} succeeded: the package is open to this code. */
    REFLECTION,
    /** {@code sun.misc.Unsafe.objectFieldOffset} and {@code getInt}/{@code getObject}. */
    UNSAFE
  }

  private static final String FLAGS =
      REQUIRED_FLAGS.replace("ALL-UNNAMED", PrivateFieldReader.opener());

  /** One reader per channel class: its {@code FileDescriptor fd} field, found up the hierarchy. */
  private static final ClassValue<Object> CHANNEL_FD_FIELD =
      new ClassValue<>() {
        @Override
        protected Object computeValue(Class<?> type) {
          Field field = findFdField(type);
          if (field == null) {
            return new IllegalArgumentException(
                type.getName()
                    + " keeps no FileDescriptor field named fd: not a JDK channel implementation");
          }
          return resolve(field);
        }
      };

  private ChannelDescriptors() {}

  /**
   * The descriptor number in {@code fd}.
   *
   * @param fd a {@code FileDescriptor}, such as a stream's {@code getFD()}
   * @return the OS descriptor it holds, 0 or more
   * @throws IllegalArgumentException when {@code fd} is not valid (closed, or never opened)
   * @throws UnsupportedOperationException when neither reflection nor Unsafe can read the field;
   *     the message names {@value #REQUIRED_FLAGS}
   */
  public static int of(FileDescriptor fd) {
    int value = unwrap(FileDescriptorField.READER).getInt(fd);
    if (value < 0) {
      throw new IllegalArgumentException("FileDescriptor is not valid (closed or never opened)");
    }
    return value;
  }

  /**
   * The descriptor number of a JDK channel.
   *
   * @param channel a channel of the JDK's own implementation
   * @return the OS descriptor it holds, valid while the channel is open
   * @throws ClosedChannelException when the channel is closed
   * @throws IllegalArgumentException when {@code channel} is not a JDK implementation with a
   *     descriptor (a wrapper from {@code Channels.newChannel}, a user class)
   * @throws UnsupportedOperationException when neither reflection nor Unsafe can read the field;
   *     the message names {@value #REQUIRED_FLAGS}
   */
  public static int of(Channel channel) throws ClosedChannelException {
    Object descriptor = reader(channel.getClass()).getObject(channel);
    if (!channel.isOpen()) {
      throw new ClosedChannelException();
    }
    return of((FileDescriptor) descriptor);
  }

  /**
   * {@link #of(Channel)} with failures as a {@link DescriptorSupport} reports them: {@code EBADF}
   * for a closed channel, {@code EINVAL} for a channel with no JDK descriptor inside, {@code
   * EOPNOTSUPP} when the field cannot be read (the message names {@value #REQUIRED_FLAGS}).
   *
   * @param channel a channel of the JDK's own implementation
   * @return the OS descriptor it holds, valid while the channel is open
   * @throws KQueueException with {@code EBADF}, {@code EINVAL} or {@code EOPNOTSUPP} as above, the
   *     original exception as its cause
   */
  public static int fileno(Channel channel) throws KQueueException {
    try {
      return of(channel);
    } catch (ClosedChannelException e) {
      throw new KQueueException("fileno", Errno.EBADF, "the channel is closed", e);
    } catch (IllegalArgumentException e) {
      throw new KQueueException("fileno", Errno.EINVAL, e.getMessage(), e);
    } catch (UnsupportedOperationException e) {
      throw new KQueueException("fileno", Errno.EOPNOTSUPP, e.getMessage(), e);
    }
  }

  /**
   * {@link #of(FileDescriptor)} with failures as a {@link DescriptorSupport} reports them: {@code
   * EBADF} for a closed or never opened {@code FileDescriptor}, {@code EOPNOTSUPP} when the field
   * cannot be read.
   *
   * @param fd a {@code FileDescriptor}, such as a stream's {@code getFD()}
   * @return the OS descriptor it holds, 0 or more
   * @throws KQueueException with {@code EBADF} or {@code EOPNOTSUPP} as above, the original
   *     exception as its cause
   */
  public static int fileno(FileDescriptor fd) throws KQueueException {
    try {
      return of(fd);
    } catch (IllegalArgumentException e) {
      throw new KQueueException("fileno", Errno.EBADF, e.getMessage(), e);
    } catch (UnsupportedOperationException e) {
      throw new KQueueException("fileno", Errno.EOPNOTSUPP, e.getMessage(), e);
    }
  }

  /**
   * How the {@code fd} field of {@code type} (a channel class or {@code FileDescriptor}) is read.
   *
   * @param type {@code FileDescriptor.class}, or a JDK channel implementation class such as {@code
   *     channel.getClass()}
   * @return {@link Mechanism#REFLECTION} or {@link Mechanism#UNSAFE}
   * @throws IllegalArgumentException when {@code type} keeps no {@code FileDescriptor fd} field
   * @throws UnsupportedOperationException when neither reflection nor Unsafe can read the field
   */
  public static Mechanism mechanism(Class<?> type) {
    return type == FileDescriptor.class
        ? unwrap(FileDescriptorField.READER).mechanism()
        : reader(type).mechanism();
  }

  private static PrivateFieldReader reader(Class<?> type) {
    return unwrap(CHANNEL_FD_FIELD.get(type));
  }

  /** A {@link PrivateFieldReader}, or the exception that says why there is none. */
  private static Object resolve(Field field) {
    try {
      return PrivateFieldReader.of(field, FLAGS);
    } catch (RuntimeException e) {
      return e;
    }
  }

  /** The reader, or a fresh exception (with this caller's stack) wrapping the stored failure. */
  private static PrivateFieldReader unwrap(Object reader) {
    if (reader instanceof RuntimeException) {
      RuntimeException failure = (RuntimeException) reader;
      if (failure instanceof IllegalArgumentException) {
        throw new IllegalArgumentException(failure.getMessage(), failure);
      }
      throw new UnsupportedOperationException(failure.getMessage(), failure);
    }
    return (PrivateFieldReader) reader;
  }

  static Field findFdField(Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      for (Field field : c.getDeclaredFields()) {
        if (field.getName().equals("fd") && field.getType() == FileDescriptor.class) {
          return field;
        }
      }
    }
    return null;
  }

  /**
   * The channels whose descriptors a {@link DescriptorSupport} handed out, by descriptor, so that
   * its {@link DescriptorSupport#close(int)} of such a descriptor closes the channel the JDK's way
   * rather than pulling the number from under it. Channels are held weakly: one the program drops
   * is collected as usual.
   *
   * <p>Thread-safe.
   */
  public static final class HandedOut {
    private final ConcurrentHashMap<Integer, WeakReference<Channel>> channels =
        new ConcurrentHashMap<>();

    /** An empty table. */
    public HandedOut() {}

    /**
     * {@link ChannelDescriptors#fileno(Channel)}, remembering the channel under its descriptor.
     *
     * @param channel a channel of the JDK's own implementation
     * @return the OS descriptor it holds, valid while the channel is open
     * @throws KQueueException as {@link ChannelDescriptors#fileno(Channel)} reports it
     */
    public int fileno(Channel channel) throws KQueueException {
      int fd = ChannelDescriptors.fileno(channel);
      channels.put(fd, new WeakReference<>(channel));
      return fd;
    }

    /**
     * Forgets descriptor {@code fd} and closes its channel, when that is still reachable, open and
     * holding {@code fd}.
     *
     * @param fd the descriptor to close
     * @return {@code true} when the channel was closed (and {@code fd} with it); {@code false} when
     *     there is no such channel, and the caller must close {@code fd} itself
     * @throws KQueueException {@code EIO} when closing the channel fails, its exception as the
     *     cause
     */
    public boolean close(int fd) throws KQueueException {
      WeakReference<Channel> ref = channels.remove(fd);
      Channel channel = ref == null ? null : ref.get();
      if (channel == null || !channel.isOpen() || !holds(channel, fd)) {
        return false;
      }
      try {
        channel.close();
        return true;
      } catch (IOException e) {
        throw new KQueueException("close", Errno.EIO, "closing the channel of descriptor " + fd, e);
      }
    }

    private static boolean holds(Channel channel, int fd) {
      try {
        return of(channel) == fd;
      } catch (IOException | RuntimeException e) {
        return false;
      }
    }
  }

  private static final class FileDescriptorField {
    static final Object READER = reader();

    private static Object reader() {
      try {
        return resolve(FileDescriptor.class.getDeclaredField("fd"));
      } catch (NoSuchFieldException e) {
        return new UnsupportedOperationException("this JDK's FileDescriptor has no field fd", e);
      }
    }
  }
}
