package io.kqueue4j.linux.descriptor;

import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.LibC;
import io.kqueue4j.linux.LinuxErrno;
import io.kqueue4j.linux.internal.Availability;
import io.kqueue4j.linux.internal.DirectBuffers;
import io.kqueue4j.linux.internal.NativeLibrary;
import io.kqueue4j.linux.internal.NetlinkLibrary;
import io.kqueue4j.linux.internal.OwnedFd;
import java.nio.ByteBuffer;

/**
 * What Linux tells about one Unix-domain socket through {@code NETLINK_SOCK_DIAG} ({@code
 * unix_diag}), asked by inode: the length of a listener's accept queue ({@code UDIAG_SHOW_RQLEN}:
 * {@code udiag_rqueue} is the number of connections waiting for {@code accept}) and the socket's
 * shutdown state ({@code UNIX_DIAG_SHUTDOWN}, always part of the answer).
 *
 * <p>One netlink socket for the process, opened on first use and kept, like the poller's epoll
 * instance; it uses the bindings of the process-event connector's netlink socket ({@link
 * NetlinkLibrary}, with {@code read}/{@code write} from libc). Linux looks the inode up by walking
 * the network namespace's table of Unix sockets, so a query costs in proportion to their number: it
 * is asked only where nothing cheaper answers. Where the socket cannot be opened ({@code
 * EPROTONOSUPPORT} from a kernel or sandbox without {@code NETLINK_SOCK_DIAG}, {@code EACCES} or
 * {@code EPERM} from a seccomp or LSM policy) {@link #availability()} says why, and callers keep
 * their fallback.
 *
 * <p>Thread-safe: queries are serialized on the class.
 */
final class SockDiag {
  static final int AF_NETLINK = 16;
  static final int NETLINK_SOCK_DIAG = 4;
  static final int SOCK_DIAG_BY_FAMILY = 20;
  static final int NLM_F_REQUEST = 1;
  static final int NLMSG_ERROR = 2;
  /** {@code sizeof(struct nlmsghdr)}: len u32, type u16, flags u16, seq u32, pid u32. */
  static final int NLMSG_HDRLEN = 16;
  /**
   * {@code sizeof(struct unix_diag_req)}: family u8, protocol u8, pad u16, states u32, ino u32,
   * show u32, cookie u32[2].
   */
  static final int UNIX_DIAG_REQ_SIZE = 24;
  /** {@code sizeof(struct unix_diag_msg)}: family, type, state, pad (u8), ino, cookie[2] (u32). */
  static final int UNIX_DIAG_MSG_SIZE = 16;
  static final int UDIAG_SHOW_RQLEN = 0x10;
  /** Attribute: {@code struct unix_diag_rqlen} (rqueue u32, wqueue u32). */
  static final int UNIX_DIAG_RQLEN = 4;
  /** Attribute: {@code sk_shutdown}, one byte of {@code RCV_SHUTDOWN | SEND_SHUTDOWN}. */
  static final int UNIX_DIAG_SHUTDOWN = 6;
  static final int SEND_SHUTDOWN = 2;
  /** {@code INET_DIAG_NOCOOKIE} in both cookie words: the socket is found by inode alone. */
  static final int NO_COOKIE = -1;

  /** A reply is 52 bytes, an error 60 with the request echoed; room for both and more. */
  private static final int BUFFER = 512;

  private static SockDiag instance;

  private final OwnedFd fd;
  private final ByteBuffer buffer = DirectBuffers.allocate(BUFFER);
  private final long address = DirectBuffers.address(buffer);
  private int seq;

  private SockDiag(int fd) {
    this.fd = new OwnedFd(fd);
  }

  /** Whether the process can ask {@code NETLINK_SOCK_DIAG} (probed once). */
  static Availability availability() {
    return Probe.RESULT;
  }

  /**
   * The number of connections waiting in the accept queue of the listening Unix-domain socket
   * with inode {@code inode}.
   *
   * @throws ErrnoException when the socket cannot be asked or the kernel does not answer ({@code
   *     ENOENT}: no such socket in this network namespace, or no {@code unix_diag})
   */
  static int acceptQueue(long inode) throws ErrnoException {
    long answer = query(inode, UDIAG_SHOW_RQLEN);
    if ((answer & 0xFFFF_FFFFL) == 0xFFFF_FFFFL) {
      throw new ErrnoException("sock_diag", LinuxErrno.EINVAL, "no UNIX_DIAG_RQLEN for " + inode);
    }
    return (int) answer;
  }

  /**
   * Whether the Unix-domain socket with inode {@code inode} was shut down for sending ({@code
   * SEND_SHUTDOWN}).
   *
   * @throws ErrnoException as {@link #acceptQueue}
   */
  static boolean sendShutdown(long inode) throws ErrnoException {
    return ((query(inode, 0) >>> 32) & SEND_SHUTDOWN) != 0;
  }

  /** One request and its answer: {@code shutdown << 32 | rqueue}, rqueue all ones when absent. */
  private static synchronized long query(long inode, int show) throws ErrnoException {
    if (inode <= 0 || inode > 0xFFFF_FFFFL) {
      throw new ErrnoException("sock_diag", LinuxErrno.EINVAL, "inode " + inode);
    }
    return open().ask((int) inode, show);
  }

  /** The process's socket; a failed probe is final, a shortage of descriptors is retried. */
  private static SockDiag open() throws ErrnoException {
    if (instance == null) {
      Throwable refused = availability().cause();
      if (refused instanceof ErrnoException) {
        throw (ErrnoException) refused;
      }
      if (refused != null) {
        throw new ErrnoException("socket", LinuxErrno.ENOSYS, "NETLINK_SOCK_DIAG: " + refused);
      }
      instance = new SockDiag(create());
    }
    return instance;
  }

  private long ask(int inode, int show) throws ErrnoException {
    int sequence = ++seq;
    ByteBuffer b = buffer;
    b.putInt(0, NLMSG_HDRLEN + UNIX_DIAG_REQ_SIZE);
    b.putShort(4, (short) SOCK_DIAG_BY_FAMILY);
    b.putShort(6, (short) NLM_F_REQUEST);
    b.putInt(8, sequence);
    b.putInt(12, 0);
    b.put(16, (byte) Syscalls.AF_UNIX);
    b.put(17, (byte) 0);
    b.putShort(18, (short) 0);
    b.putInt(20, -1); // udiag_states: any
    b.putInt(24, inode);
    b.putInt(28, show);
    b.putInt(32, NO_COOKIE);
    b.putInt(36, NO_COOKIE);
    if (LibC.write(fd.get(), address, NLMSG_HDRLEN + UNIX_DIAG_REQ_SIZE) < 0) {
      throw new ErrnoException("sock_diag", LinuxErrno.EAGAIN, "request for inode " + inode);
    }
    while (true) { // the kernel answers within the write; older answers are skipped
      int n = LibC.read(fd.get(), address, BUFFER);
      if (n < 0) {
        throw new ErrnoException("sock_diag", LinuxErrno.EAGAIN, "no answer for inode " + inode);
      }
      if (n >= NLMSG_HDRLEN && b.getInt(8) == sequence) {
        return decode(b, Math.min(n, b.getInt(0)), inode);
      }
    }
  }

  private static long decode(ByteBuffer b, int length, int inode) throws ErrnoException {
    int type = Short.toUnsignedInt(b.getShort(4));
    if (type == NLMSG_ERROR) {
      int error = length >= NLMSG_HDRLEN + 4 ? -b.getInt(NLMSG_HDRLEN) : LinuxErrno.EIO;
      throw new ErrnoException("sock_diag", error, "unix socket inode " + inode);
    }
    if (type != SOCK_DIAG_BY_FAMILY || length < NLMSG_HDRLEN + UNIX_DIAG_MSG_SIZE) {
      throw new ErrnoException("sock_diag", LinuxErrno.EIO, "unexpected answer type " + type);
    }
    long rqueue = 0xFFFF_FFFFL;
    long shutdown = 0;
    int at = NLMSG_HDRLEN + UNIX_DIAG_MSG_SIZE;
    while (at + 4 <= length) {
      int attrLength = Short.toUnsignedInt(b.getShort(at));
      int attrType = Short.toUnsignedInt(b.getShort(at + 2)) & 0x3FFF; // without NLA_F_* bits
      if (attrLength < 4 || at + attrLength > length) {
        break;
      }
      if (attrType == UNIX_DIAG_RQLEN && attrLength >= 4 + 8) {
        rqueue = Integer.toUnsignedLong(b.getInt(at + 4));
      } else if (attrType == UNIX_DIAG_SHUTDOWN && attrLength >= 4 + 1) {
        shutdown = Byte.toUnsignedInt(b.get(at + 4));
      }
      at += (attrLength + 3) & ~3;
    }
    return shutdown << 32 | rqueue;
  }

  private static int create() throws ErrnoException {
    int type = Syscalls.SOCK_DGRAM | LibC.O_NONBLOCK | LibC.O_CLOEXEC;
    int s = NetlinkLibrary.get().functions().socket(AF_NETLINK, type, NETLINK_SOCK_DIAG);
    if (s < 0) {
      throw new ErrnoException("socket", NativeLibrary.errno(), "AF_NETLINK, NETLINK_SOCK_DIAG");
    }
    return s;
  }

  private static final class Probe {
    static final Availability RESULT = Availability.probe(
        "NETLINK_SOCK_DIAG", NetlinkLibrary.get(), () -> LibC.close(create()));
  }
}
