package io.kqueue4j.filters.descriptor;

/**
 * What a descriptor refers to, as far as {@code EVFILT_READ} and {@code EVFILT_WRITE} care: each
 * kind gets the rules of one FreeBSD filter ({@code fo_kqfilter} of that object type).
 */
public enum DescriptorKind {
  /**
   * A connection-oriented socket that is not listening (TCP, Unix-domain stream or seqpacket):
   * {@code filt_soread} and {@code filt_sowrite}, where writing needs a connection.
   */
  STREAM_SOCKET,
  /** A connectionless socket (UDP, Unix-domain datagram, raw): {@code filt_soread}/{@code filt_sowrite}. */
  DATAGRAM_SOCKET,
  /** A listening socket: {@code filt_soread}'s listen branch; never writable. */
  LISTENING_SOCKET,
  /** An anonymous pipe: {@code filt_piperead}/{@code filt_pipewrite}. */
  PIPE,
  /** A named pipe: the pipe filters, with {@code EV_EOF} cleared when a writer comes back. */
  FIFO,
  /**
   * A regular file or directory: {@code filt_vfsread} ({@code data} = bytes from the offset to the
   * end of the file) and {@code filt_vfswrite} (always writable, {@code data} 0).
   */
  VNODE,
  /**
   * Anything else the OS can poll (character devices, eventfd, timerfd, ...): readable and writable
   * as the OS's poll says, {@code data} the bytes {@code FIONREAD} reports where it answers.
   */
  OTHER
}
