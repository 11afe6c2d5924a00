package io.kqueue4j.linux;

import io.kqueue4j.linux.internal.Availability;
import io.kqueue4j.linux.internal.DirectBuffers;
import io.kqueue4j.linux.internal.InotifyFunctions;
import io.kqueue4j.linux.internal.Libraries;
import io.kqueue4j.linux.internal.NativeLibrary;
import io.kqueue4j.linux.internal.OwnedFd;
import io.kqueue4j.linux.internal.PathBytes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code inotify_init1(IN_CLOEXEC | IN_NONBLOCK)}: one inotify instance, its watches added with
 * {@code inotify_add_watch} and its events parsed from a reusable buffer by {@link #read}.
 *
 * <p>{@link #addWatch} and {@link #removeWatch} may be called from any thread; {@link #read} from
 * one thread at a time (it owns the buffer and the event flyweight). {@link #close()} must not race
 * with the other methods. The descriptor is readable in epoll while events are queued.
 */
public final class Inotify implements AutoCloseable {

  /** {@code IN_ACCESS}: the file was read (or executed). */
  public static final int IN_ACCESS = 0x00000001;
  /** {@code IN_MODIFY}: the file was written or truncated. */
  public static final int IN_MODIFY = 0x00000002;
  /** {@code IN_ATTRIB}: metadata changed: permissions, timestamps, xattrs, link count, owner. */
  public static final int IN_ATTRIB = 0x00000004;
  /** {@code IN_CLOSE_WRITE}: a file opened for writing was closed. */
  public static final int IN_CLOSE_WRITE = 0x00000008;
  /** {@code IN_CLOSE_NOWRITE}: a file or directory not opened for writing was closed. */
  public static final int IN_CLOSE_NOWRITE = 0x00000010;
  /** {@code IN_OPEN}: a file or directory was opened. */
  public static final int IN_OPEN = 0x00000020;
  /** {@code IN_MOVED_FROM}: an entry was renamed out of the watched directory. */
  public static final int IN_MOVED_FROM = 0x00000040;
  /** {@code IN_MOVED_TO}: an entry was renamed into the watched directory. */
  public static final int IN_MOVED_TO = 0x00000080;
  /** {@code IN_CREATE}: an entry was created in the watched directory. */
  public static final int IN_CREATE = 0x00000100;
  /** {@code IN_DELETE}: an entry was deleted from the watched directory. */
  public static final int IN_DELETE = 0x00000200;
  /** {@code IN_DELETE_SELF}: the watched object itself was deleted. */
  public static final int IN_DELETE_SELF = 0x00000400;
  /** {@code IN_MOVE_SELF}: the watched object itself was renamed. */
  public static final int IN_MOVE_SELF = 0x00000800;
  /** {@code IN_CLOSE}: {@link #IN_CLOSE_WRITE} or {@link #IN_CLOSE_NOWRITE}. */
  public static final int IN_CLOSE = IN_CLOSE_WRITE | IN_CLOSE_NOWRITE;
  /** {@code IN_MOVE}: {@link #IN_MOVED_FROM} or {@link #IN_MOVED_TO}. */
  public static final int IN_MOVE = IN_MOVED_FROM | IN_MOVED_TO;
  /** {@code IN_ALL_EVENTS}: every event bit from {@link #IN_ACCESS} to {@link #IN_MOVE_SELF}. */
  public static final int IN_ALL_EVENTS = 0x00000fff;

  /** Only in events: the file system holding the watched object was unmounted. */
  public static final int IN_UNMOUNT = 0x00002000;

  /** Only in events: the event queue overflowed; {@code wd} is -1. */
  public static final int IN_Q_OVERFLOW = 0x00004000;

  /** Only in events: the watch was removed (explicitly, or its object is gone). */
  public static final int IN_IGNORED = 0x00008000;

  /** Only in events: the subject of the event is a directory. */
  public static final int IN_ISDIR = 0x40000000;

  /** {@code add_watch} flag: fail with {@code ENOTDIR} unless the path is a directory. */
  public static final int IN_ONLYDIR = 0x01000000;

  /** {@code add_watch} flag: watch a symbolic link itself. */
  public static final int IN_DONT_FOLLOW = 0x02000000;

  /** {@code add_watch} flag: no events for children after they were unlinked. */
  public static final int IN_EXCL_UNLINK = 0x04000000;

  /** {@code add_watch} flag: fail with {@code EEXIST} if the inode is already watched (5.1+). */
  public static final int IN_MASK_CREATE = 0x10000000;

  /** {@code add_watch} flag: OR the mask into an existing watch instead of replacing it. */
  public static final int IN_MASK_ADD = 0x20000000;

  /** {@code add_watch} flag: remove the watch after its first event. */
  public static final int IN_ONESHOT = 0x80000000;

  /** {@code inotify_init1} flag {@code IN_NONBLOCK}: a read with nothing queued does not block. */
  public static final int IN_NONBLOCK = LibC.O_NONBLOCK;
  /** {@code inotify_init1} flag {@code IN_CLOEXEC}: close the descriptor on {@code exec}. */
  public static final int IN_CLOEXEC = LibC.O_CLOEXEC;

  /** The smallest buffer that holds any one event: the header plus {@code NAME_MAX + 1}. */
  public static final int MIN_BUFFER_SIZE = InotifyEvent.HEADER_SIZE + 255 + 1;

  /** The default read buffer: a few hundred events per {@code read(2)}. */
  public static final int DEFAULT_BUFFER_SIZE = 64 * 1024;

  /** The name of each mask bit, indexed by bit number; null for unused bits. */
  private static final String[] MASK_NAMES = {
    "IN_ACCESS",
    "IN_MODIFY",
    "IN_ATTRIB",
    "IN_CLOSE_WRITE",
    "IN_CLOSE_NOWRITE",
    "IN_OPEN",
    "IN_MOVED_FROM",
    "IN_MOVED_TO",
    "IN_CREATE",
    "IN_DELETE",
    "IN_DELETE_SELF",
    "IN_MOVE_SELF",
    null,
    "IN_UNMOUNT",
    "IN_Q_OVERFLOW",
    "IN_IGNORED",
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    "IN_ONLYDIR",
    "IN_DONT_FOLLOW",
    "IN_EXCL_UNLINK",
    null,
    "IN_MASK_CREATE",
    "IN_MASK_ADD",
    "IN_ISDIR",
    "IN_ONESHOT"
  };

  static final Path MAX_USER_WATCHES = Path.of("/proc/sys/fs/inotify/max_user_watches");
  static final Path MAX_INOTIFY_WATCHES_IN_NAMESPACE =
      Path.of("/proc/sys/user/max_inotify_watches");

  private final OwnedFd fd;
  private final ByteBuffer buffer;
  private final long bufferAddress;
  private final InotifyEvent event = new InotifyEvent();

  private Inotify(int fd, int bufferSize) {
    this.fd = new OwnedFd(fd);
    this.buffer = DirectBuffers.allocate(bufferSize);
    this.bufferAddress = DirectBuffers.address(buffer);
  }

  /**
   * True when {@code inotify_init1} works here (probed once by creating and closing one).
   *
   * @return whether {@link #open()} can succeed on this system
   */
  public static boolean isAvailable() {
    return Probe.RESULT.isAvailable();
  }

  /**
   * Why {@link #isAvailable()} is false, or null.
   *
   * @return the failure of the probe, or null when inotify is available
   */
  public static Throwable unavailabilityCause() {
    return Probe.RESULT.cause();
  }

  /**
   * {@code inotify_init1(IN_CLOEXEC | IN_NONBLOCK)} with a {@link #DEFAULT_BUFFER_SIZE} buffer.
   *
   * @return a new inotify instance without watches, which the caller closes
   * @throws ErrnoException as {@link #open(int)}
   */
  public static Inotify open() throws ErrnoException {
    return open(DEFAULT_BUFFER_SIZE);
  }

  /**
   * {@code inotify_init1(IN_CLOEXEC | IN_NONBLOCK)} with a read buffer of {@code bufferSize}.
   *
   * @param bufferSize bytes of the off-heap buffer each {@link #read} fills, at least {@link
   *     #MIN_BUFFER_SIZE}
   * @return a new inotify instance without watches, which the caller closes
   * @throws ErrnoException with {@code EMFILE} when {@code fs.inotify.max_user_instances} or the
   *     descriptor limit is reached, {@code ENFILE}, {@code ENOMEM}
   * @throws IllegalArgumentException if {@code bufferSize} is below {@link #MIN_BUFFER_SIZE}
   * @throws UnsupportedOperationException if {@link #isAvailable()} is false
   */
  public static Inotify open(int bufferSize) throws ErrnoException {
    if (bufferSize < MIN_BUFFER_SIZE) {
      throw new IllegalArgumentException(
          "buffer below " + MIN_BUFFER_SIZE + " bytes: " + bufferSize);
    }
    Probe.RESULT.require();
    return new Inotify(create(), bufferSize);
  }

  /**
   * The inotify descriptor, -1 once closed.
   *
   * @return the descriptor number, or -1
   */
  public int fd() {
    return fd.get();
  }

  /**
   * {@code inotify_add_watch}: watches {@code path} for the {@code IN_*} events and flags in {@code
   * mask}. Watching an inode already watched by this instance returns the same descriptor and
   * replaces its mask, unless {@link #IN_MASK_ADD} is given. {@code ENOSPC} means the per-user
   * watch limit {@code fs.inotify.max_user_watches} is reached, and the message says so.
   *
   * @param path the file or directory to watch
   * @param mask {@code IN_*} event bits and {@code add_watch} flags
   * @return the watch descriptor that events carry in {@link InotifyEvent#wd()}
   * @throws ErrnoException with {@code ENOENT}, {@code EACCES}, {@code ENOTDIR} (for {@link
   *     #IN_ONLYDIR}), {@code EEXIST} (for {@link #IN_MASK_CREATE}), {@code EINVAL} for a mask
   *     without events, {@code ENAMETOOLONG}, {@code ENOMEM}, {@code ENOSPC}; the message names
   *     the path
   */
  public int addWatch(Path path, int mask) throws ErrnoException {
    int wd = functions().inotify_add_watch(fd.get(), PathBytes.of(path), mask);
    if (wd < 0) {
      throw addWatchFailed(NativeLibrary.errno(), path);
    }
    return wd;
  }

  /**
   * The exception for a failed {@code inotify_add_watch}. On {@code ENOSPC} the message names the
   * limit {@code fs.inotify.max_user_watches} and its value, and also {@code
   * user.max_inotify_watches} when this process's user namespace sets a different one (the smaller
   * of the two applies).
   */
  static ErrnoException addWatchFailed(int errno, Path path) {
    if (errno == LinuxErrno.ENOSPC) {
      String global = sysctl(MAX_USER_WATCHES);
      String namespace = sysctl(MAX_INOTIFY_WATCHES_IN_NAMESPACE);
      return new ErrnoException(
          "inotify_add_watch",
          errno,
          path
              + ": the inotify watch limit fs.inotify.max_user_watches ("
              + global
              + ") is reached"
              + (namespace.equals(global) || namespace.equals("unknown")
                  ? ""
                  : " (this user namespace's user.max_inotify_watches is " + namespace + ")")
              + "; raise it with sysctl fs.inotify.max_user_watches=N");
    }
    return new ErrnoException("inotify_add_watch", errno, path.toString());
  }

  /**
   * {@code inotify_rm_watch}; the kernel then queues an {@code IN_IGNORED} event for it.
   *
   * @param wd a watch descriptor from {@link #addWatch}
   * @throws ErrnoException with {@code EINVAL} if {@code wd} is not a watch of this instance (also
   *     when the kernel already removed it), {@code EBADF} once closed
   */
  public void removeWatch(int wd) throws ErrnoException {
    if (functions().inotify_rm_watch(fd.get(), wd) < 0) {
      throw new ErrnoException("inotify_rm_watch", NativeLibrary.errno(), "wd " + wd);
    }
  }

  /**
   * One {@code read(2)} of queued events into the reusable buffer, each parsed and passed to {@code
   * handler}. Does not block. Allocates nothing unless the handler asks for a name. An exception
   * from the handler propagates at once, and the rest of that read's events, already taken from the
   * kernel, are dropped: handlers that can fail should catch inside.
   *
   * @param handler called once per event, in the kernel's order
   * @return the number of events handled, 0 when none were queued
   * @throws ErrnoException with {@code EBADF} once closed
   */
  public int read(InotifyEvent.Handler handler) throws ErrnoException {
    return dispatch(LibC.read(fd.get(), bufferAddress, buffer.capacity()), handler);
  }

  /**
   * As {@link #read}, but returns the bytes that the {@code read(2)} took. The kernel copies events
   * until the queue is empty or the next one does not fit, so a result that leaves at least {@link
   * #MIN_BUFFER_SIZE} bytes of {@link #bufferSize()} unused means that the queue was empty when
   * the read ended: a caller woken by a level-triggered epoll need not read again to find out.
   *
   * @param handler called once per event, in the kernel's order
   * @return the bytes read, 0 when no event was queued
   * @throws ErrnoException as {@link #read}
   */
  public int readBytes(InotifyEvent.Handler handler) throws ErrnoException {
    int length = LibC.read(fd.get(), bufferAddress, buffer.capacity());
    dispatch(length, handler);
    return Math.max(0, length);
  }

  /** Passes the events in the first {@code length} bytes of the buffer; returns their number. */
  private int dispatch(int length, InotifyEvent.Handler handler) {
    int count = 0;
    for (int offset = 0; offset < length; count++) {
      offset = event.wrap(buffer, offset);
      handler.onEvent(event);
    }
    return count;
  }

  /**
   * The size of the buffer each read fills.
   *
   * @return the bytes one {@code read(2)} may return at most
   */
  public int bufferSize() {
    return buffer.capacity();
  }

  /** {@code close(2)}: removes every watch. */
  @Override
  public void close() throws ErrnoException {
    fd.close();
  }

  /**
   * The {@code IN_*} names of the bits in {@code mask}, joined with {@code |}.
   *
   * @param mask a mask of {@code IN_*} bits
   * @return such as {@code "IN_CREATE|IN_ISDIR"}; unnamed bits in hex, {@code "0"} for none
   */
  public static String maskToString(int mask) {
    StringBuilder names = new StringBuilder();
    for (int bit = 0; bit < Integer.SIZE; bit++) {
      if ((mask & (1 << bit)) != 0) {
        names
            .append(names.length() == 0 ? "" : "|")
            .append(
                MASK_NAMES[bit] != null ? MASK_NAMES[bit] : "0x" + Integer.toHexString(1 << bit));
      }
    }
    return names.length() == 0 ? "0" : names.toString();
  }

  /**
   * A sysctl's value, or {@code "unknown"}. Read with one large read: a sysctl file answers a read
   * at a non-zero offset with end of file, so {@code Files.readString}, which starts with a 1-byte
   * read when the size is 0, would see only the first digit.
   */
  static String sysctl(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] value = new byte[64];
      int n = in.read(value);
      return n <= 0 ? "unknown" : new String(value, 0, n, StandardCharsets.US_ASCII).trim();
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static int create() throws ErrnoException {
    int ifd = Libraries.inotify().functions().inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (ifd < 0) {
      throw new ErrnoException("inotify_init1", NativeLibrary.errno());
    }
    return ifd;
  }

  private static InotifyFunctions functions() {
    return Libraries.inotify().functions();
  }

  private static final class Probe {
    static final Availability RESULT =
        Availability.probe("inotify", Libraries.inotify(), () -> LibC.close(create()));
  }
}
