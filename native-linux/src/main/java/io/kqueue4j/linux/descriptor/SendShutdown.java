package io.kqueue4j.linux.descriptor;

import io.kqueue4j.linux.ErrnoException;

/**
 * Whether a connected stream socket can send no more ({@code SBS_CANTSENDMORE}, which FreeBSD's
 * {@code filt_sowrite} reports as {@code EV_EOF}) after a local {@code shutdown(SHUT_WR)}. Linux's
 * poll does not show it: a TCP socket polls writable after it, a Unix-domain one as before. So it
 * is asked, by transport:
 *
 * <ul>
 *   <li>TCP: {@code TCP_INFO}'s {@code tcpi_state} is past {@code ESTABLISHED}/{@code CLOSE_WAIT}
 *       on the sending side ({@code FIN_WAIT1}, {@code FIN_WAIT2}, {@code CLOSING}, {@code
 *       LAST_ACK}, {@code TIME_WAIT}, {@code CLOSE}): one {@code getsockopt}.
 *   <li>Unix-domain {@code SOCK_STREAM}: an empty {@code send} fails with {@code EPIPE} (see {@link
 *       Syscalls#unixStreamSendShutdown}): one system call.
 *   <li>Unix-domain {@code SOCK_SEQPACKET}: {@code UNIX_DIAG_SHUTDOWN} through {@link SockDiag},
 *       whose lookup walks the namespace's Unix sockets.
 *   <li>Other transports (SCTP, MPTCP, vsock): not asked; their write side reports {@code EV_EOF}
 *       only with the hang-up that poll shows.
 * </ul>
 *
 * <p>The question costs a system call, so it is asked at most once per epoll report of the socket
 * (the {@code reports} count that the caller passes), and only by a probe of the write side that
 * found the socket writable, which is what a shutdown socket always looks like to TCP's poll: the
 * first such probe after each {@code EV_ADD} (the watch makes a new instance when it classifies
 * the socket again), and the first after each epoll report, such as the state change that {@code
 * shutdown} itself reports. A write knote that is delivered again and again while nothing happens
 * to the socket asks nothing, and a knote that epoll activates without a probe asks nothing until
 * the kernel's re-check before delivery. Once seen, the shutdown is kept: it cannot be undone.
 *
 * <p>Thread-safe: probes of several threads may each ask once for the same report.
 */
final class SendShutdown {
  private static final int UNKNOWN = 0;
  private static final int TCP = 1;
  private static final int UNIX_STREAM = 2;
  private static final int UNIX_SEQPACKET = 3;
  private static final int OTHER = 4;

  private final int fd;
  private final long inode;
  private final int type;
  private volatile int transport = UNKNOWN;
  private volatile boolean shut;
  /** The report count when the socket was last asked. */
  private volatile int askedAt;

  /**
   * A socket classified just now.
   *
   * @param fd the socket
   * @param inode its {@code st_ino}, by which {@link SockDiag} finds it
   * @param type {@code SOCK_STREAM} or {@code SOCK_SEQPACKET}
   * @param reports the watch's report count now: the first question is asked whatever it becomes
   */
  SendShutdown(int fd, long inode, int type, int reports) {
    this.fd = fd;
    this.inode = inode;
    this.type = type;
    this.askedAt = reports - 1;
  }

  /** Whether the socket is known to be shut down for sending, without asking. */
  boolean known() {
    return shut;
  }

  /**
   * Whether the socket was shut down for sending; asks the OS unless it did for {@code reports}
   * already. A failing question counts as not shut down.
   */
  boolean check(int reports) {
    if (shut) {
      return true;
    }
    if (reports == askedAt) {
      return false;
    }
    boolean now;
    try {
      now = ask();
    } catch (ErrnoException e) {
      now = false; // EBADF: closed meanwhile; ENOENT from sock_diag: another namespace
    }
    askedAt = reports;
    if (now) {
      shut = true;
    }
    return now;
  }

  private boolean ask() throws ErrnoException {
    switch (transport()) {
      case TCP:
        return Syscalls.tcpSendClosed(Syscalls.tcpState(fd));
      case UNIX_STREAM:
        return Syscalls.unixStreamSendShutdown(fd);
      case UNIX_SEQPACKET:
        return SockDiag.sendShutdown(inode);
      default:
        return false;
    }
  }

  private int transport() throws ErrnoException {
    int t = transport;
    if (t == UNKNOWN) {
      int domain = Syscalls.getsockoptInt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_DOMAIN);
      if (domain == Syscalls.AF_UNIX) {
        t = type == Syscalls.SOCK_STREAM ? UNIX_STREAM : UNIX_SEQPACKET;
      } else if ((domain == Syscalls.AF_INET || domain == Syscalls.AF_INET6)
          && Syscalls.getsockoptInt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_PROTOCOL)
              == Syscalls.IPPROTO_TCP) {
        t = TCP;
      } else {
        t = OTHER;
      }
      transport = t;
    }
    return t;
  }
}
