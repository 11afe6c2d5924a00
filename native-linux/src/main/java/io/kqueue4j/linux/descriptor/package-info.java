/**
 * Descriptors on Linux: {@link io.kqueue4j.linux.descriptor.LinuxDescriptorSupport} behind {@link
 * io.kqueue4j.FileDescriptors}, and {@link io.kqueue4j.linux.descriptor.EpollReadinessSource}, the
 * source of {@code EVFILT_READ}/{@code EVFILT_WRITE} events: one epoll instance and one thread
 * ({@code kqueue4j-epoll}) for every kqueue in the process, edge-triggered, plus one inotify
 * instance for regular files. The epoll instance is an {@link io.kqueue4j.kernel.EventPump}: the
 * thread waiting in {@code kevent} polls it itself when no other thread does.
 *
 * <h2>The Linux facts behind FreeBSD's fields</h2>
 *
 * <ul>
 *   <li>Readable bytes: {@code ioctl(FIONREAD)}. Listening TCP sockets: {@code TCP_INFO}'s {@code
 *       tcpi_unacked}, which Linux sets to the accept queue length for a listener. Listening
 *       Unix-domain sockets: {@code NETLINK_SOCK_DIAG}'s {@code unix_diag} asked by inode with
 *       {@code UDIAG_SHOW_RQLEN} ({@code udiag_rqueue}: the connections waiting), while one
 *       waits. A stream socket's {@code SO_RCVLOWAT} ({@code so_rcv.sb_lowat}) is read when it is
 *       registered.
 *   <li>Socket send space: {@code SO_SNDBUF / 2 - ioctl(TIOCOUTQ)} (Linux doubles {@code SO_SNDBUF}
 *       for bookkeeping, as the JDK also undoes). Pipe space: {@code fcntl(F_GETPIPE_SZ) -
 *       FIONREAD}.
 *   <li>Socket end of file: {@code POLLRDHUP} ({@code RCV_SHUTDOWN}) for reading; {@code POLLHUP}
 *       together with {@code POLLRDHUP} for writing (a stream socket that was never connected polls
 *       {@code POLLHUP} alone, and is neither readable nor writable, as on FreeBSD), or a local
 *       {@code shutdown(SHUT_WR)}, which poll does not show: TCP's {@code tcpi_state}, an empty
 *       {@code send} on a Unix-domain stream ({@code EPIPE}), {@code UNIX_DIAG_SHUTDOWN} on a
 *       Unix-domain {@code SOCK_SEQPACKET}, asked only by a write probe that finds the socket
 *       writable, once per epoll report of the socket and after each {@code EV_ADD} ({@code
 *       SendShutdown}). {@code fflags} = {@code getsockopt(SO_ERROR)}, in FreeBSD's numbering.
 *   <li>Pipe end of file: {@code POLLHUP} on the read end (no writer; Linux, like FreeBSD, does not
 *       report it on a FIFO that never had one), {@code POLLERR} on the write end (no reader).
 *       Pipes and FIFOs are told apart by the device of pipefs, found by probing one pipe.
 *   <li>Writable: the OS's own {@code POLLOUT}; a pipe with a free slot takes at least {@code
 *       PIPE_BUF} (4096) bytes, so FreeBSD's {@code data >= PIPE_BUF (512)} rule holds.
 *   <li>File offset: {@code lseek(fd, 0, SEEK_CUR)}; size: {@code statx}.
 * </ul>
 *
 * <h2>Deliberate differences from FreeBSD, and limits</h2>
 *
 * <ul>
 *   <li>A datagram socket's {@code data} is the size of the next datagram (Linux's {@code
 *       FIONREAD}); FreeBSD reports all queued bytes. A Unix-domain {@code SOCK_SEQPACKET}
 *       socket reports all queued bytes, as FreeBSD does: Linux's {@code FIONREAD} sums its queue.
 *   <li>A listening Unix-domain socket reports {@code data} 1 while a connection waits where
 *       {@code NETLINK_SOCK_DIAG} is refused (a kernel without {@code unix_diag}, a seccomp or LSM
 *       policy, a sandbox without netlink) or does not find the socket (one created in another
 *       network namespace). The kernel finds the socket by walking the namespace's Unix sockets,
 *       so the count is asked only while a connection waits.
 *   <li>{@code SO_ERROR} clears the error on Linux: it is read only when the socket has reached end
 *       of file with an error pending ({@code POLLERR}), so that {@code fflags} can carry it, and a
 *       later {@code read} then returns end of file rather than the error. A pending error without
 *       end of file (an ICMP error on UDP) makes the socket ready and is left for the read.
 *   <li>A local {@code shutdown(SHUT_WR)} is reported as {@code EV_EOF} on {@code EVFILT_WRITE}
 *       for TCP and Unix-domain stream and seqpacket sockets once epoll reports the change, so a
 *       knote already queued may be delivered once more without it; datagram sockets (UDP and
 *       Unix-domain datagram) and other transports (SCTP, MPTCP) show it only with the hang-up
 *       that poll reports.
 *   <li>{@code SO_RCVLOWAT} is read at each {@code EV_ADD} of the socket; a mark set after that is
 *       used from the next {@code EV_ADD} on. Linux's TCP itself wakes readers only at the mark, so a
 *       {@code NOTE_LOWAT} below a TCP socket's {@code SO_RCVLOWAT} is noticed only when the
 *       larger mark is reached or the kernel re-checks.
 *   <li>{@code NOTE_LOWAT} on {@code EVFILT_WRITE}: Linux reports new space once, when about a
 *       third of the buffer is free after the socket was full. While a socket is writable but a
 *       knote's mark is not met, its write knotes are re-checked every 10 ms ({@code
 *       DescriptorPoller.RECHECK_NANOS}), so a higher mark is noticed up to that late; a mark the
 *       socket never reaches keeps the re-check going until the knote goes, is disabled, or the
 *       socket fills.
 *   <li>{@code EV_CLEAR} knotes fire on every readiness change epoll reports for their side, which
 *       may include changes that FreeBSD would not report (such as space freed while data waits).
 *   <li>Files are watched with inotify ({@code IN_MODIFY}) while a read knote exists; a file that
 *       changes on a network file system without inotify events is noticed only by re-checks.
 *   <li>A descriptor closed without {@link io.kqueue4j.FileDescriptors#close} (for instance by
 *       closing its JDK channel) keeps its knotes, as the kernel cannot know; epoll forgets the file.
 *       When the number is registered again with {@code EV_ADD}, the watch notices that it refers
 *       to a new object and watches that one.
 * </ul>
 *
 * <p>Every class loads on any OS; availability is probed by calling (libc, epoll, eventfd, statx,
 * and a {@code NETLINK_SOCK_DIAG} socket for {@code unix_diag}), never guessed from version
 * strings.
 */
package io.kqueue4j.linux.descriptor;
