package io.kqueue4j.linux;

import io.kqueue4j.linux.internal.Availability;
import io.kqueue4j.linux.internal.DirectBuffers;
import io.kqueue4j.linux.internal.LibCFunctions;
import io.kqueue4j.linux.internal.Libraries;
import io.kqueue4j.linux.internal.NativeLibrary;
import io.kqueue4j.linux.internal.PathBytes;
import io.kqueue4j.linux.internal.Scratch;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The plain libc calls on descriptors: {@code read}, {@code write}, {@code close}, {@code pipe2},
 * {@code fcntl}, {@code open}, {@code ioctl(FIONREAD)}, {@code getpid}, {@code kill}.
 *
 * <p>Failures throw {@link ErrnoException}. {@code EINTR} is retried where a C program retries it
 * ({@code read}, {@code write}, {@code open}); {@code close} is never retried, because Linux has
 * released the descriptor even when it reports {@code EINTR}, and a retry could close a descriptor
 * another thread has just been given.
 */
public final class LibC {

  /** {@code O_RDONLY}: open for reading only. */
  public static final int O_RDONLY = 0;
  /** {@code O_WRONLY}: open for writing only. */
  public static final int O_WRONLY = 1;
  /** {@code O_RDWR}: open for reading and writing. */
  public static final int O_RDWR = 2;
  /** {@code O_NONBLOCK}: calls fail with {@code EAGAIN} instead of blocking (asm-generic value). */
  public static final int O_NONBLOCK = 04000;
  /** {@code O_CLOEXEC}: close the descriptor on {@code exec} (asm-generic value). */
  public static final int O_CLOEXEC = 02000000;

  /** Opens a location only (no read, write or I/O), as {@code O_EVTONLY} does on macOS. */
  public static final int O_PATH = 010000000;

  /** {@code F_GETFD}: {@code fcntl} command returning the descriptor flags ({@code FD_CLOEXEC}). */
  public static final int F_GETFD = 1;
  /** {@code F_SETFD}: {@code fcntl} command setting the descriptor flags to its argument. */
  public static final int F_SETFD = 2;
  /** {@code F_GETFL}: {@code fcntl} command returning the access mode and status flags. */
  public static final int F_GETFL = 3;
  /** {@code F_SETFL}: {@code fcntl} command setting status flags such as {@code O_NONBLOCK}. */
  public static final int F_SETFL = 4;
  /** {@code FD_CLOEXEC}: the descriptor flag that closes it on {@code exec}. */
  public static final int FD_CLOEXEC = 1;

  /** {@code FIONREAD}: {@code ioctl} request for the bytes readable now (x86 and ARM value). */
  public static final long FIONREAD = 0x541B;

  /** {@code SIGHUP}: hang-up; conventionally asks a daemon to reload its configuration. */
  public static final int SIGHUP = 1;
  /** {@code SIGINT}: interrupt from the terminal (Ctrl-C). */
  public static final int SIGINT = 2;
  /** {@code SIGKILL}: kills the process; cannot be caught or ignored. */
  public static final int SIGKILL = 9;
  /** {@code SIGUSR1}: user-defined signal 1 (x86 and ARM value; 16 on MIPS, 30 on SPARC). */
  public static final int SIGUSR1 = 10;
  /** {@code SIGUSR2}: user-defined signal 2 (x86 and ARM value; 17 on MIPS, 31 on SPARC). */
  public static final int SIGUSR2 = 12;
  /** {@code SIGTERM}: polite termination request. */
  public static final int SIGTERM = 15;
  /** {@code SIGCHLD}: a child stopped or ended (x86 and ARM value; 18 on MIPS, 20 on SPARC). */
  public static final int SIGCHLD = 17;
  /** {@code SIGCONT}: resumes a stopped process (x86 and ARM value). */
  public static final int SIGCONT = 18;
  /** {@code SIGSTOP}: stops the process; cannot be caught or ignored (x86 and ARM value). */
  public static final int SIGSTOP = 19;

  private LibC() {}

  /**
   * True when the C library is bound and {@code getpid()} answered.
   *
   * @return whether the calls of this class can be made
   */
  public static boolean isAvailable() {
    return Probe.RESULT.isAvailable();
  }

  /**
   * Why {@link #isAvailable()} is false, or null.
   *
   * @return the failure of the probe, or null when libc is available
   */
  public static Throwable unavailabilityCause() {
    return Probe.RESULT.cause();
  }

  /**
   * {@code read(2)} into {@code dst} from its position to its limit, advancing the position.
   *
   * @return the bytes read, 0 at end of file, or -1 when a non-blocking descriptor has nothing
   *     ({@code EAGAIN})
   * @param fd the descriptor to read
   * @param dst the buffer to fill; a heap buffer is read through a temporary direct one
   * @throws ErrnoException with {@code EBADF}, {@code EINVAL}, {@code EIO}, {@code EISDIR}, ...;
   *     never {@code EINTR} or {@code EAGAIN}
   */
  public static int read(int fd, ByteBuffer dst) throws ErrnoException {
    if (dst.isDirect()) {
      int n = read(fd, DirectBuffers.address(dst) + dst.position(), dst.remaining());
      if (n > 0) {
        dst.position(dst.position() + n);
      }
      return n;
    }
    ByteBuffer bounce = DirectBuffers.allocate(dst.remaining());
    int n = read(fd, DirectBuffers.address(bounce), bounce.capacity());
    if (n > 0) {
      dst.put(bounce.limit(n));
    }
    return n;
  }

  /**
   * {@code read(2)} of {@code length} bytes to native memory at {@code address}.
   *
   * @param fd the descriptor to read
   * @param address the native memory to fill, at least {@code length} bytes
   * @param length the most bytes to read
   * @return as {@link #read(int, ByteBuffer)}
   * @throws ErrnoException as {@link #read(int, ByteBuffer)}
   */
  public static int read(int fd, long address, int length) throws ErrnoException {
    LibCFunctions c = functions();
    while (true) {
      long n = c.read(fd, address, length);
      if (n >= 0) {
        return (int) n;
      }
      int errno = NativeLibrary.errno();
      if (errno == LinuxErrno.EAGAIN) {
        return -1;
      }
      if (errno != LinuxErrno.EINTR) {
        throw new ErrnoException("read", errno);
      }
    }
  }

  /**
   * {@code write(2)} of {@code src} from its position to its limit, advancing the position by the
   * bytes written.
   *
   * @param fd the descriptor to write
   * @param src the bytes to write; a heap buffer is copied to a temporary direct one
   * @return the bytes written, or -1 when a non-blocking descriptor is full ({@code EAGAIN})
   * @throws ErrnoException with {@code EBADF}, {@code EPIPE} when no reader is left, {@code
   *     ENOSPC}, {@code EIO}, ...; never {@code EINTR} or {@code EAGAIN}
   */
  public static int write(int fd, ByteBuffer src) throws ErrnoException {
    ByteBuffer direct = src;
    int start = src.position();
    if (!src.isDirect()) {
      direct = DirectBuffers.allocate(src.remaining());
      direct.put(src.duplicate()).flip();
      start = 0;
    }
    int n = write(fd, DirectBuffers.address(direct) + start, src.remaining());
    if (n > 0) {
      src.position(src.position() + n);
    }
    return n;
  }

  /**
   * {@code write(2)} of {@code length} bytes from native memory at {@code address}.
   *
   * @param fd the descriptor to write
   * @param address the native memory holding at least {@code length} bytes
   * @param length the bytes to write
   * @return as {@link #write(int, ByteBuffer)}
   * @throws ErrnoException as {@link #write(int, ByteBuffer)}
   */
  public static int write(int fd, long address, int length) throws ErrnoException {
    LibCFunctions c = functions();
    while (true) {
      long n = c.write(fd, address, length);
      if (n >= 0) {
        return (int) n;
      }
      int errno = NativeLibrary.errno();
      if (errno == LinuxErrno.EAGAIN) {
        return -1;
      }
      if (errno != LinuxErrno.EINTR) {
        throw new ErrnoException("write", errno);
      }
    }
  }

  /**
   * {@code close(2)}; {@code EINTR} counts as closed (Linux has released the descriptor).
   *
   * @param fd the descriptor to close
   * @throws ErrnoException with {@code EBADF} if {@code fd} is not open, {@code EIO} (the
   *     descriptor is released all the same)
   */
  public static void close(int fd) throws ErrnoException {
    if (functions().close(fd) < 0) {
      int errno = NativeLibrary.errno();
      if (errno != LinuxErrno.EINTR) {
        throw new ErrnoException("close", errno);
      }
    }
  }

  /**
   * {@code pipe2(2)} with {@code flags} from {@link #O_CLOEXEC} and {@link #O_NONBLOCK}.
   *
   * @param flags {@link #O_CLOEXEC}, {@link #O_NONBLOCK}, or both, or 0
   * @return {@code {readEnd, writeEnd}}
   * @throws ErrnoException with {@code EMFILE} or {@code ENFILE} when the descriptor limit is
   *     reached, {@code EINVAL} for an unknown flag
   */
  public static int[] pipe2(int flags) throws ErrnoException {
    int[] fds = new int[2];
    if (functions().pipe2(fds, flags) < 0) {
      throw new ErrnoException("pipe2", NativeLibrary.errno());
    }
    return fds;
  }

  /**
   * {@code fcntl(2)} without argument: {@link #F_GETFD}, {@link #F_GETFL}.
   *
   * @param fd the descriptor
   * @param cmd the command
   * @return the command's result, such as the flags
   * @throws ErrnoException with {@code EBADF} if {@code fd} is not open, {@code EINVAL}
   */
  public static int fcntl(int fd, int cmd) throws ErrnoException {
    return fcntl(fd, cmd, 0);
  }

  /**
   * {@code fcntl(2)} with an int argument: {@link #F_SETFD}, {@link #F_SETFL}, ...
   *
   * @param fd the descriptor
   * @param cmd the command
   * @param arg the command's argument, such as the new flags
   * @return the command's result, 0 for the setters
   * @throws ErrnoException with {@code EBADF} if {@code fd} is not open, {@code EINVAL}
   */
  public static int fcntl(int fd, int cmd, int arg) throws ErrnoException {
    int result = functions().fcntl(fd, cmd, arg);
    if (result < 0) {
      throw new ErrnoException("fcntl", NativeLibrary.errno(), "fd " + fd);
    }
    return result;
  }

  /**
   * {@code open(2)} without {@code O_CREAT}: {@code flags} from {@link #O_RDONLY}, {@link
   * #O_CLOEXEC}, {@link #O_PATH}, {@link #O_NONBLOCK}.
   *
   * @param path the file to open
   * @param flags the {@code O_*} flags
   * @return the new descriptor
   * @throws ErrnoException with {@code ENOENT}, {@code EACCES}, {@code ELOOP}, {@code ENOTDIR},
   *     {@code EMFILE}, ...; the message names the path; never {@code EINTR}
   */
  public static int open(Path path, int flags) throws ErrnoException {
    byte[] bytes = PathBytes.of(path);
    LibCFunctions c = functions();
    while (true) {
      int fd = c.open(bytes, flags, 0);
      if (fd >= 0) {
        return fd;
      }
      int errno = NativeLibrary.errno();
      if (errno != LinuxErrno.EINTR) {
        throw new ErrnoException("open", errno, path.toString());
      }
    }
  }

  /**
   * {@code ioctl(fd, FIONREAD, &n)}: the bytes a read would return now (for a datagram socket, the
   * size of the next datagram; for inotify, the bytes of queued events). Allocates nothing.
   *
   * @param fd a socket, pipe, terminal or inotify descriptor
   * @return the number of readable bytes
   * @throws ErrnoException with {@code EBADF}, {@code ENOTTY} or {@code EINVAL} if {@code fd} does
   *     not support {@code FIONREAD}
   */
  public static int availableBytes(int fd) throws ErrnoException {
    Scratch scratch = Scratch.get().clear(Integer.BYTES);
    if (functions().ioctl(fd, FIONREAD, scratch.address()) < 0) {
      throw new ErrnoException("ioctl", NativeLibrary.errno(), "FIONREAD on fd " + fd);
    }
    return scratch.buffer().getInt(0);
  }

  /**
   * {@code getpid(2)}.
   *
   * @return the process id of this JVM
   */
  public static int getpid() {
    return functions().getpid();
  }

  /**
   * {@code kill(2)}; signal 0 only checks that {@code pid} exists and may be signalled.
   *
   * @param pid the process, or as {@code kill(2)} 0, -1 or a negated process group
   * @param signal the signal number, such as {@link #SIGTERM}, or 0
   * @throws ErrnoException with {@code ESRCH} if there is no such process, {@code EPERM} if it
   *     may not be signalled, {@code EINVAL} for an invalid signal
   */
  public static void kill(int pid, int signal) throws ErrnoException {
    if (functions().kill(pid, signal) < 0) {
      throw new ErrnoException("kill", NativeLibrary.errno(), "pid " + pid + ", signal " + signal);
    }
  }

  private static LibCFunctions functions() {
    Probe.RESULT.require();
    return Libraries.libc().functions();
  }

  private static final class Probe {
    static final Availability RESULT =
        Availability.probe(
            "libc",
            Libraries.libc(),
            () -> {
              if (Libraries.libc().functions().getpid() <= 0) {
                throw new IllegalStateException("getpid() returned no pid");
              }
            });
  }
}
