package io.kqueue4j.linux.descriptor;

import static io.kqueue4j.linux.descriptor.Syscalls.POLLERR;
import static io.kqueue4j.linux.descriptor.Syscalls.POLLHUP;
import static io.kqueue4j.linux.descriptor.Syscalls.POLLIN;
import static io.kqueue4j.linux.descriptor.Syscalls.POLLOUT;
import static io.kqueue4j.linux.descriptor.Syscalls.POLLRDHUP;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.descriptor.DescriptorKind;
import io.kqueue4j.filters.descriptor.DescriptorWatch;
import io.kqueue4j.filters.descriptor.Readiness;
import io.kqueue4j.filters.descriptor.ReadinessListener;
import io.kqueue4j.kernel.EventPump;
import io.kqueue4j.linux.Epoll;
import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.FileStat;
import io.kqueue4j.linux.Inotify;
import io.kqueue4j.linux.LibC;
import io.kqueue4j.linux.LinuxErrno;
import io.kqueue4j.linux.Stat;

/**
 * One descriptor watched through the {@link DescriptorPoller}: what it is, and how the Linux facts
 * map onto FreeBSD's filters.
 *
 * <table>
 *   <caption>Where each fact comes from</caption>
 *   <tr><th>kind</th><th>read {@code data}</th><th>write {@code data}</th><th>end of file</th></tr>
 *   <tr><td>stream, datagram socket</td><td>{@code FIONREAD} (a datagram socket: the next
 *       datagram)</td><td>{@code SO_SNDBUF / 2 - TIOCOUTQ}</td><td>read: {@code POLLRDHUP}; write:
 *       {@code POLLHUP} with {@code POLLRDHUP}, or a local {@code shutdown(SHUT_WR)} ({@link
 *       SendShutdown}); {@code fflags}: {@code SO_ERROR}</td></tr>
 *   <tr><td>listening socket</td><td>TCP: {@code TCP_INFO.tcpi_unacked} (the accept queue);
 *       Unix-domain: {@code unix_diag}'s {@code udiag_rqueue} ({@link SockDiag}; 1 where that is
 *       refused); others: 1 while {@code POLLIN}</td><td>-</td><td>-</td></tr>
 *   <tr><td>pipe, FIFO</td><td>{@code FIONREAD}</td><td>{@code F_GETPIPE_SZ - FIONREAD}</td>
 *       <td>read: {@code POLLHUP} (no writer); write: {@code POLLERR} (no reader)</td></tr>
 *   <tr><td>file, directory</td><td>{@code st_size - lseek(fd, 0, SEEK_CUR)}</td><td>0</td>
 *       <td>-</td></tr>
 *   <tr><td>other</td><td>{@code FIONREAD} where it answers, else 0</td><td>0</td>
 *       <td>{@code POLLHUP}</td></tr>
 * </table>
 *
 * <p>{@code NOTE_LOWAT} on the write side: Linux reports a socket writable once about a third of
 * its buffer is free, and reports more space only after the socket was full again. A write probe
 * that finds the socket writable while a knote's mark is not met ({@link #rearm}) asks the poller
 * to post the write side again after {@link DescriptorPoller#RECHECK_NANOS}, and so on until the
 * mark is met, the socket is no longer writable (epoll reports the next change) or no write knote
 * is left. A disabled knote does not ask for the re-check; {@code EV_ENABLE} probes it again.
 *
 * <p>Classification, registration and interest run under the filters' registry lock (one thread at
 * a time); {@link #probe} and {@link #fire} run concurrently with them and with each other, and
 * read only volatile state.
 */
final class LinuxWatch implements DescriptorWatch {
  private static final int SOCKET_ERROR_UNKNOWN = -1;

  private final int fd;
  private final ReadinessListener listener;
  private final DescriptorPoller poller;

  private volatile DescriptorKind kind;
  private volatile boolean readOpen = true;
  private volatile boolean writeOpen = true;
  /** A listening TCP socket, whose accept queue {@code TCP_INFO} reports. */
  private volatile boolean tcpListener;
  /** A listening Unix-domain socket, whose accept queue {@link SockDiag} reports. */
  private volatile boolean unixListener;
  /** A connected stream socket's local {@code shutdown(SHUT_WR)}; null for other kinds. */
  private volatile SendShutdown sendShutdown;
  /** How many times epoll reported the descriptor; written by the polling thread only. */
  private volatile int reports;
  /** The last write probe found the socket writable, without end of file or error. */
  private volatile boolean writableSeen;
  /** A stream socket's {@code SO_RCVLOWAT}, read when it is classified (every {@code EV_ADD}). */
  private volatile int rcvLowat = 1;
  private volatile boolean directory;
  /** {@code POLLRDHUP} was seen: sockets never take it back. */
  private volatile boolean readShutdown;
  /** The socket error read with {@code SO_ERROR} once the socket reached end of file. */
  private volatile int socketError = SOCKET_ERROR_UNKNOWN;
  private volatile long tag = -1;
  private volatile boolean wantRead;
  private volatile boolean wantWrite;

  /** The object's {@code st_ino}: also how {@link SockDiag} finds a socket, from probes. */
  private volatile long ino;

  // Guarded by the filters' registry lock.
  private long dev;
  private boolean registered;
  private int mask;
  private int inotifyWatch = -1;
  private boolean closed;

  private LinuxWatch(int fd, ReadinessListener listener, DescriptorPoller poller) {
    this.fd = fd;
    this.listener = listener;
    this.poller = poller;
  }

  /** Classifies {@code fd}; the caller then declares its {@link #interest}. */
  static LinuxWatch open(int fd, ReadinessListener listener, DescriptorPoller poller)
      throws KQueueException {
    LinuxWatch watch = new LinuxWatch(fd, listener, poller);
    watch.classify();
    return watch;
  }

  long tag() {
    return tag;
  }

  @Override
  public DescriptorKind kind() {
    return kind;
  }

  @Override
  public boolean readOpen() {
    return readOpen;
  }

  @Override
  public boolean writeOpen() {
    return writeOpen;
  }

  // ---------------------------------------------------------------- classification

  private void classify() throws KQueueException {
    FileStat st;
    try {
      st = Stat.fstat(fd);
    } catch (ErrnoException e) {
      throw FreeBsdErrno.exception("kevent", e, "descriptor " + fd);
    }
    dev = st.dev();
    ino = st.ino();
    readOpen = true;
    writeOpen = true;
    tcpListener = false;
    unixListener = false;
    sendShutdown = null;
    writableSeen = false;
    rcvLowat = 1;
    directory = false;
    readShutdown = false;
    socketError = SOCKET_ERROR_UNKNOWN;
    try {
      switch (st.mode() & FileStat.S_IFMT) {
        case FileStat.S_IFSOCK:
          kind = classifySocket();
          break;
        case FileStat.S_IFIFO:
          kind = st.dev() == PipeFs.DEV ? DescriptorKind.PIPE : DescriptorKind.FIFO;
          int mode = Syscalls.accessMode(fd);
          readOpen = mode != LibC.O_WRONLY;
          writeOpen = mode != LibC.O_RDONLY;
          break;
        case FileStat.S_IFDIR:
          directory = true;
          kind = DescriptorKind.VNODE;
          break;
        case FileStat.S_IFREG:
          kind = DescriptorKind.VNODE;
          break;
        default:
          kind = DescriptorKind.OTHER;
          break;
      }
    } catch (ErrnoException e) {
      throw FreeBsdErrno.exception("kevent", e, "descriptor " + fd);
    }
  }

  private DescriptorKind classifySocket() throws ErrnoException {
    int type = Syscalls.getsockoptInt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_TYPE);
    if (type != Syscalls.SOCK_STREAM && type != Syscalls.SOCK_SEQPACKET) {
      return DescriptorKind.DATAGRAM_SOCKET;
    }
    if (Syscalls.getsockoptInt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_ACCEPTCONN) == 0) {
      rcvLowat = Syscalls.getsockoptInt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_RCVLOWAT);
      SendShutdown known = sendShutdown;
      if (known == null || !known.known()) { // every EV_ADD asks afresh; a shutdown stays
        sendShutdown = new SendShutdown(fd, ino, type, reports);
      }
      return DescriptorKind.STREAM_SOCKET;
    }
    sendShutdown = null;
    int domain = Syscalls.getsockoptInt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_DOMAIN);
    int protocol = Syscalls.getsockoptInt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_PROTOCOL);
    tcpListener = (domain == Syscalls.AF_INET || domain == Syscalls.AF_INET6)
        && protocol == Syscalls.IPPROTO_TCP;
    unixListener = domain == Syscalls.AF_UNIX;
    return DescriptorKind.LISTENING_SOCKET;
  }

  // ---------------------------------------------------------------- interest

  @Override
  public void interest(boolean read, boolean write) throws KQueueException {
    wantRead = read;
    wantWrite = write;
    try {
      if (kind == DescriptorKind.VNODE) {
        if (read && inotifyWatch < 0) {
          inotifyWatch = poller.watchFile(this, fd, fileEvents());
        } else if (!read && inotifyWatch >= 0) {
          poller.unwatchFile(this, inotifyWatch);
          inotifyWatch = -1;
        }
        return;
      }
      int wanted = Epoll.EPOLLET
          | (read ? Epoll.EPOLLIN | Epoll.EPOLLRDHUP : 0)
          | (write ? Epoll.EPOLLOUT : 0);
      if (!registered) {
        long newTag = poller.allocate(this);
        try {
          poller.epoll().add(fd, wanted, newTag);
        } catch (ErrnoException e) {
          poller.release(newTag);
          throw e;
        }
        tag = newTag;
        registered = true;
      } else if (wanted != mask) {
        poller.epoll().modify(fd, wanted, tag);
      }
      mask = wanted;
    } catch (ErrnoException e) {
      if (e.errno() == LinuxErrno.EPERM) {
        throw new KQueueException("kevent", Errno.ENODEV,
            "descriptor " + fd + " refers to something Linux cannot poll (epoll_ctl: EPERM)", e);
      }
      if (e.errno() == LinuxErrno.ENOSPC) {
        throw new KQueueException("kevent", Errno.ENOMEM,
            "descriptor " + fd + ": " + e.getMessage(), e);
      }
      throw FreeBsdErrno.exception("kevent", e, "descriptor " + fd);
    } catch (UnsupportedOperationException e) {
      throw new KQueueException("kevent", Errno.ENODEV,
          "descriptor " + fd + ": " + e.getMessage(), e);
    }
  }

  private int fileEvents() {
    return directory
        ? Inotify.IN_MODIFY | Inotify.IN_CREATE | Inotify.IN_DELETE | Inotify.IN_MOVE
        : Inotify.IN_MODIFY;
  }

  @Override
  public void revalidate() {
    if (closed) {
      return;
    }
    boolean changed;
    if (kind == DescriptorKind.VNODE || !registered) {
      try {
        FileStat st = Stat.fstat(fd);
        changed = st.dev() != dev || st.ino() != ino;
      } catch (ErrnoException e) {
        return; // closed: the registration fails with EBADF in the kernel
      }
    } else {
      try {
        poller.epoll().modify(fd, mask, tag);
        changed = false;
      } catch (ErrnoException e) {
        // ENOENT: the registered file was closed and the number reused; EPERM: by a file
        changed = e.errno() == LinuxErrno.ENOENT || e.errno() == LinuxErrno.EPERM;
      }
    }
    try {
      if (changed) {
        teardown();
        classify();
        interest(wantRead, wantWrite);
      } else if (kind == DescriptorKind.STREAM_SOCKET) {
        kind = classifySocket(); // listen(2) or SO_RCVLOWAT may have changed since
      }
    } catch (KQueueException | ErrnoException e) {
      // Left as it is; events of the new object may be missed until it is registered afresh.
    }
  }

  /**
   * A stream socket's post shows readiness on its own when epoll reported {@code POLLIN} (or {@code
   * POLLOUT}) and nothing of end of file or error: the scan's probe then counts the bytes once,
   * rather than once here and again there.
   */
  @Override
  public boolean readyByHint(long hint, boolean read) {
    if (kind != DescriptorKind.STREAM_SOCKET || (hint & DescriptorPoller.HINT) == 0) {
      return false;
    }
    int revents = (int) hint;
    if ((revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0) {
      return false;
    }
    if (!read) {
      SendShutdown shutdown = sendShutdown;
      if (shutdown != null && shutdown.known()) {
        return false; // end of file: set when posted
      }
    }
    return (revents & (read ? POLLIN : POLLOUT)) != 0;
  }

  /**
   * A write knote found the socket writable but not ready: its {@code NOTE_LOWAT} mark is above the
   * space. Linux will not report the space growing, so the poller posts the write side again
   * shortly ({@link DescriptorPoller#recheckWrite}). Nothing is asked of the OS here.
   */
  @Override
  public void rearm(boolean read) {
    if (!read && writableSeen) {
      poller.recheckWrite(this);
    }
  }

  @Override
  public EventPump pump() {
    return poller.pump();
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      teardown();
    }
  }

  private void teardown() {
    poller.cancelRecheck(this);
    if (registered) {
      try {
        poller.epoll().delete(fd);
      } catch (ErrnoException e) {
        // EBADF/ENOENT: closed behind our back, epoll dropped it already
      }
      poller.release(tag);
      registered = false;
      mask = 0;
    }
    if (inotifyWatch >= 0) {
      poller.unwatchFile(this, inotifyWatch);
      inotifyWatch = -1;
    }
  }

  // ---------------------------------------------------------------- events

  /** From the poller thread: epoll reported {@code revents}. */
  void fire(int revents) {
    reports++; // one polling thread at a time, handed over by the pump's lead
    if ((revents & POLLRDHUP) != 0) {
      readShutdown = true;
    }
    long hint = DescriptorPoller.HINT | (revents & 0xFFFF_FFFFL);
    if (wantRead && (revents & (POLLIN | POLLRDHUP | POLLHUP | POLLERR)) != 0) {
      listener.readReady(hint);
    }
    if (wantWrite && (revents & (POLLOUT | POLLHUP | POLLERR)) != 0) {
      listener.writeReady(hint);
    }
  }

  /** From the poller thread: the write side's {@code NOTE_LOWAT} re-check is due. */
  void recheckWrite() {
    if (wantWrite) {
      listener.writeReady(DescriptorPoller.RECHECK);
    }
  }

  /** From the poller thread: inotify reported a change of the file. */
  void fileChanged() {
    if (wantRead) {
      listener.readReady(DescriptorPoller.HINT);
    }
  }

  // ---------------------------------------------------------------- probe

  @Override
  public void probe(long hint, boolean read, Readiness out) {
    try {
      switch (kind) {
        case STREAM_SOCKET:
        case DATAGRAM_SOCKET:
          if (read) {
            probeSocketRead(hint, out);
          } else {
            probeSocketWrite(hint, out);
          }
          break;
        case LISTENING_SOCKET:
          if (read) {
            int revents = revents(hint);
            out.readable((revents & POLLIN) != 0);
            out.readBytes(listenerQueue(out.readable()));
            if ((revents & POLLERR) != 0) {
              out.error(socketError(true));
            }
          }
          break;
        case PIPE:
        case FIFO:
          probePipe(hint, read, out);
          break;
        case VNODE:
          if (read) {
            long size = Stat.fstat(fd).size();
            long offset = offsetOrZero();
            out.readBytes(directory && offset > size ? 0 : size - offset);
          }
          break;
        case OTHER:
        default:
          probeOther(hint, read, out);
          break;
      }
    } catch (ErrnoException e) {
      // EBADF: closed behind the kernel's back (FileDescriptors.close drops the knotes first).
      // Reported as nothing to read or write; the knote goes when the number is registered again.
    }
  }

  /**
   * A listening socket's pending connections: {@code TCP_INFO} for TCP; for a Unix-domain socket
   * with a connection waiting, {@code unix_diag}, else (and where that is refused) 1.
   */
  private long listenerQueue(boolean readable) throws ErrnoException {
    if (tcpListener) {
      return Syscalls.tcpAcceptQueue(fd);
    }
    if (!readable) {
      return 0;
    }
    if (unixListener) {
      try {
        return SockDiag.acceptQueue(ino);
      } catch (ErrnoException e) {
        return 1; // NETLINK_SOCK_DIAG refused, or the socket is in another network namespace
      }
    }
    return 1;
  }

  private void probeSocketRead(long hint, Readiness out) throws ErrnoException {
    boolean stream = kind == DescriptorKind.STREAM_SOCKET;
    int bytes = fionreadOrZero();
    out.readBytes(bytes);
    out.readLowat(rcvLowat);
    if (hint == 0 && stream && bytes > 0) {
      // Readable whatever else is true; EV_EOF comes from the poller's last report (sticky).
      out.readEof(readShutdown);
      out.error(readShutdown ? knownSocketError() : 0);
      return;
    }
    int revents = revents(hint);
    boolean eof = (revents & POLLRDHUP) != 0;
    if (eof) {
      readShutdown = true;
    }
    boolean error = (revents & POLLERR) != 0;
    out.readable((revents & POLLIN) != 0);
    out.readEof(eof);
    out.errorPending(error);
    if (eof) {
      out.error(socketError(error));
    }
  }

  private void probeSocketWrite(long hint, Readiness out) throws ErrnoException {
    boolean stream = kind == DescriptorKind.STREAM_SOCKET;
    int revents = revents(hint);
    boolean hup = (revents & POLLHUP) != 0;
    boolean rdhup = (revents & POLLRDHUP) != 0;
    boolean error = (revents & POLLERR) != 0;
    // A stream socket that was never connected polls as POLLHUP without POLLRDHUP.
    boolean eof = stream ? hup && rdhup : hup;
    boolean connected = !stream || !hup || rdhup;
    boolean writable = connected && (revents & POLLOUT) != 0;
    SendShutdown shutdown = sendShutdown;
    if (shutdown != null && writable && !eof && !error) {
      eof = shutdown.check(reports); // poll does not show a local shutdown(SHUT_WR)
    }
    // Linux accounts SO_SNDBUF in memory, doubled for bookkeeping overhead; half of it is the
    // payload the buffer holds, as the JDK also reports it.
    long space =
        Syscalls.getsockoptInt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_SNDBUF) / 2L
            - Syscalls.outq(fd);
    out.writeSpace(Math.max(0, space));
    out.writable(writable);
    out.writeEof(eof);
    out.errorPending(error);
    if (eof) {
      out.error(socketError(error));
    }
    writableSeen = writable && !eof && !error;
  }

  private void probePipe(long hint, boolean read, Readiness out) throws ErrnoException {
    int revents = revents(hint);
    int buffered = fionreadOrZero();
    if (read) {
      out.readBytes(buffered);
      out.readable((revents & POLLIN) != 0);
      out.readEof((revents & POLLHUP) != 0);
    } else {
      out.writeSpace(Math.max(0, Syscalls.pipeSize(fd) - buffered));
      out.writable((revents & POLLOUT) != 0);
      out.writeEof((revents & POLLERR) != 0);
    }
  }

  private void probeOther(long hint, boolean read, Readiness out) throws ErrnoException {
    int revents = revents(hint);
    if (read) {
      out.readBytes(fionreadOrZero());
      out.readable((revents & POLLIN) != 0);
      out.readEof((revents & POLLHUP) != 0);
    } else {
      out.writable((revents & POLLOUT) != 0);
      out.writeEof((revents & (POLLHUP | POLLERR)) != 0);
    }
  }

  /** The poller's revents when it posted them, else (a re-check) a fresh {@code poll}. */
  private int revents(long hint) throws ErrnoException {
    if ((hint & DescriptorPoller.HINT) != 0) {
      return (int) hint;
    }
    int revents = Syscalls.poll(fd, POLLIN | POLLOUT | POLLRDHUP);
    if ((revents & Syscalls.POLLNVAL) != 0) {
      throw new ErrnoException("poll", LinuxErrno.EBADF, "fd " + fd);
    }
    return revents;
  }

  /**
   * {@code so_error} for {@code fflags} with {@code EV_EOF}. Linux clears the error when it is read
   * ({@code SO_ERROR}), so it is read only when {@code POLLERR} shows one, and kept: the socket is at
   * end of file and its error cannot change any more.
   */
  private int socketError(boolean pending) throws ErrnoException {
    if (pending) {
      int value =
          FreeBsdErrno.of(Syscalls.getsockoptInt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_ERROR));
      if (value != 0) {
        socketError = value;
      }
    }
    return knownSocketError();
  }

  private int knownSocketError() {
    int known = socketError;
    return known == SOCKET_ERROR_UNKNOWN ? 0 : known;
  }

  private int fionreadOrZero() {
    try {
      return Syscalls.fionread(fd);
    } catch (ErrnoException e) {
      return 0; // EINVAL, ENOTTY: not something with a byte count
    }
  }

  private long offsetOrZero() {
    try {
      return Syscalls.offset(fd);
    } catch (ErrnoException e) {
      return 0;
    }
  }

  @Override
  public String toString() {
    return "LinuxWatch[fd=" + fd + ", kind=" + kind + ", tag=" + Long.toHexString(tag) + "]";
  }

  /** The device of pipefs, where every anonymous pipe lives: tells pipes from FIFOs. */
  private static final class PipeFs {
    static final long DEV = probe();

    private static long probe() {
      try {
        int[] fds = LibC.pipe2(LibC.O_CLOEXEC);
        try {
          return Stat.fstat(fds[0]).dev();
        } finally {
          LibC.close(fds[0]);
          LibC.close(fds[1]);
        }
      } catch (ErrnoException | RuntimeException e) {
        return Long.MIN_VALUE;
      }
    }
  }
}
