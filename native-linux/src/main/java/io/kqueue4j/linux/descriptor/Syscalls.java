package io.kqueue4j.linux.descriptor;

import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.LibC;
import io.kqueue4j.linux.LinuxErrno;
import io.kqueue4j.linux.internal.NativeLibrary;
import io.kqueue4j.linux.internal.Scratch;
import java.nio.ByteBuffer;

/**
 * The Linux facts behind {@code data}, {@code EV_EOF} and readiness: {@code poll}, {@code
 * ioctl(FIONREAD/TIOCOUTQ)}, {@code getsockopt(SO_*, TCP_INFO)}, {@code fcntl(F_GETPIPE_SZ)},
 * {@code lseek} and an empty {@code send}, each allocation-free (the thread's {@link Scratch}
 * buffer carries the out-parameters). Failures throw {@link ErrnoException} with Linux's errno.
 *
 * <p>Constants are the asm-generic values of x86_64, aarch64, riscv64 and loongarch64, which {@code
 * io.kqueue4j.linux.internal.Abi} checks before anything is bound.
 */
final class Syscalls {
  static final int POLLIN = 0x001;
  static final int POLLOUT = 0x004;
  static final int POLLERR = 0x008;
  static final int POLLHUP = 0x010;
  static final int POLLNVAL = 0x020;
  static final int POLLRDHUP = 0x2000;

  static final int SOL_SOCKET = 1;
  static final int SO_TYPE = 3;
  static final int SO_ERROR = 4;
  static final int SO_SNDBUF = 7;
  static final int SO_RCVLOWAT = 18;
  static final int SO_ACCEPTCONN = 30;
  static final int SO_PROTOCOL = 38;
  static final int SO_DOMAIN = 39;

  static final int AF_UNIX = 1;
  static final int AF_INET = 2;
  static final int AF_INET6 = 10;
  static final int SOCK_STREAM = 1;
  static final int SOCK_DGRAM = 2;
  static final int SOCK_SEQPACKET = 5;
  static final int IPPROTO_TCP = 6;
  static final int TCP_INFO = 11;
  /** {@code offsetof(struct tcp_info, tcpi_unacked)}: on a listening socket, the accept queue. */
  static final int TCPI_UNACKED = 24;
  /** {@code offsetof(struct tcp_info, tcpi_state)}: a {@code u8}, the {@code TCP_*} state. */
  static final int TCPI_STATE = 0;
  static final int TCP_FIN_WAIT1 = 4;
  static final int TCP_FIN_WAIT2 = 5;
  static final int TCP_TIME_WAIT = 6;
  static final int TCP_CLOSE = 7;
  static final int TCP_LAST_ACK = 9;
  static final int TCP_CLOSING = 11;

  static final int MSG_DONTWAIT = 0x40;
  static final int MSG_NOSIGNAL = 0x4000;

  /** {@code TIOCOUTQ}, the same number as {@code SIOCOUTQ}: bytes not yet sent or acknowledged. */
  static final long TIOCOUTQ = 0x5411;

  static final int F_GETPIPE_SZ = 1032;
  static final int O_ACCMODE = 3;
  static final int SEEK_CUR = 1;

  /** Where {@code getsockopt} finds the length; past the largest value read (32 bytes). */
  private static final int OPTLEN_OFFSET = 128;

  private static final NativeLibrary<DescriptorFunctions> LIBRARY =
      NativeLibrary.load(DescriptorFunctions.class);

  private Syscalls() {}

  /** Why the calls cannot be bound here, or null. */
  static Throwable unavailabilityCause() {
    return LIBRARY.cause();
  }

  private static DescriptorFunctions functions() {
    DescriptorFunctions f = LIBRARY.functions();
    if (f == null) {
      throw new UnsupportedOperationException(
          "libc calls are not available here: " + LIBRARY.cause(), LIBRARY.cause());
    }
    return f;
  }

  /**
   * {@code poll} of one descriptor without waiting.
   *
   * @return the {@code revents}: {@link #POLLIN}, {@link #POLLOUT}, {@link #POLLRDHUP}, ...
   */
  static int poll(int fd, int events) throws ErrnoException {
    DescriptorFunctions f = functions();
    Scratch scratch = Scratch.get();
    ByteBuffer b = scratch.buffer();
    while (true) {
      b.putInt(0, fd);
      b.putShort(4, (short) events);
      b.putShort(6, (short) 0);
      int n = f.poll(scratch.address(), 1, 0);
      if (n >= 0) {
        return n == 0 ? 0 : Short.toUnsignedInt(b.getShort(6));
      }
      int errno = NativeLibrary.errno();
      if (errno != LinuxErrno.EINTR) {
        throw new ErrnoException("poll", errno, "fd " + fd);
      }
    }
  }

  /** {@code ioctl(fd, FIONREAD)}: bytes a read would return now. */
  static int fionread(int fd) throws ErrnoException {
    return LibC.availableBytes(fd);
  }

  /** {@code ioctl(fd, TIOCOUTQ)}: bytes in the send queue (unsent plus unacknowledged). */
  static int outq(int fd) throws ErrnoException {
    Scratch scratch = Scratch.get().clear(Integer.BYTES);
    if (functions().ioctl(fd, TIOCOUTQ, scratch.address()) < 0) {
      throw new ErrnoException("ioctl", NativeLibrary.errno(), "TIOCOUTQ on fd " + fd);
    }
    return scratch.buffer().getInt(0);
  }

  /** {@code getsockopt} of an {@code int} option. */
  static int getsockoptInt(int fd, int level, int option) throws ErrnoException {
    Scratch scratch = Scratch.get().clear(Integer.BYTES);
    ByteBuffer b = scratch.buffer();
    b.putInt(OPTLEN_OFFSET, Integer.BYTES);
    if (functions().getsockopt(fd, level, option, scratch.address(),
        scratch.address() + OPTLEN_OFFSET) < 0) {
      throw new ErrnoException("getsockopt", NativeLibrary.errno(),
          "option " + option + " on fd " + fd);
    }
    return b.getInt(0);
  }

  /**
   * {@code getsockopt(TCP_INFO)}'s {@code tcpi_unacked}, which on a listening TCP socket is the
   * number of connections waiting in the accept queue ({@code sk_ack_backlog}).
   */
  static int tcpAcceptQueue(int fd) throws ErrnoException {
    return tcpInfo(fd, TCPI_UNACKED + Integer.BYTES).getInt(TCPI_UNACKED);
  }

  /** {@code getsockopt(TCP_INFO)}'s {@code tcpi_state}: {@code TCP_ESTABLISHED}, ... */
  static int tcpState(int fd) throws ErrnoException {
    return Byte.toUnsignedInt(tcpInfo(fd, TCPI_STATE + 1).get(TCPI_STATE));
  }

  /**
   * The first {@code length} bytes of {@code getsockopt(TCP_INFO)}, in the thread's scratch
   * buffer: the kernel copies no more than asked for.
   */
  private static ByteBuffer tcpInfo(int fd, int length) throws ErrnoException {
    Scratch scratch = Scratch.get().clear(length);
    ByteBuffer b = scratch.buffer();
    b.putInt(OPTLEN_OFFSET, length);
    if (functions().getsockopt(fd, IPPROTO_TCP, TCP_INFO, scratch.address(),
        scratch.address() + OPTLEN_OFFSET) < 0) {
      throw new ErrnoException("getsockopt", NativeLibrary.errno(), "TCP_INFO on fd " + fd);
    }
    return b;
  }

  /**
   * Whether a TCP state comes after the local end sent its {@code FIN} ({@code shutdown(SHUT_WR)}
   * or {@code close}): nothing more can be sent.
   */
  static boolean tcpSendClosed(int state) {
    switch (state) {
      case TCP_FIN_WAIT1:
      case TCP_FIN_WAIT2:
      case TCP_TIME_WAIT:
      case TCP_CLOSE:
      case TCP_LAST_ACK:
      case TCP_CLOSING:
        return true;
      default:
        return false;
    }
  }

  /**
   * Whether a connected Unix-domain stream socket was shut down for sending, asked with {@code
   * send(fd, NULL, 0, MSG_DONTWAIT | MSG_NOSIGNAL)}: Linux's {@code unix_stream_sendmsg} checks
   * {@code SEND_SHUTDOWN} before it looks at the length ({@code EPIPE}), and an empty send on a
   * stream queues nothing, raises no {@code SIGPIPE} and leaves {@code SO_ERROR} alone. Not for
   * {@code SOCK_SEQPACKET}, where an empty send is an empty record, nor for TCP, where it would
   * clear {@code SO_ERROR}.
   */
  static boolean unixStreamSendShutdown(int fd) throws ErrnoException {
    if (functions().send(fd, 0, 0, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) {
      return false;
    }
    int errno = NativeLibrary.errno();
    if (errno == LinuxErrno.EPIPE) {
      return true;
    }
    throw new ErrnoException("send", errno, "empty send on fd " + fd);
  }

  /** {@code fcntl(fd, F_GETPIPE_SZ)}: the pipe's capacity in bytes. */
  static int pipeSize(int fd) throws ErrnoException {
    return LibC.fcntl(fd, F_GETPIPE_SZ);
  }

  /** {@code fcntl(fd, F_GETFL) & O_ACCMODE}: {@code O_RDONLY}, {@code O_WRONLY} or {@code O_RDWR}. */
  static int accessMode(int fd) throws ErrnoException {
    return LibC.fcntl(fd, LibC.F_GETFL) & O_ACCMODE;
  }

  /** {@code lseek(fd, 0, SEEK_CUR)}: the file offset. */
  static long offset(int fd) throws ErrnoException {
    long offset = functions().lseek(fd, 0, SEEK_CUR);
    if (offset < 0) {
      throw new ErrnoException("lseek", NativeLibrary.errno(), "fd " + fd);
    }
    return offset;
  }
}
