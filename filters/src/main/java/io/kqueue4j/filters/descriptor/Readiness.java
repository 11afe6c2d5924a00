package io.kqueue4j.filters.descriptor;

/**
 * The facts about one descriptor that a {@link DescriptorWatch#probe} read: the inputs of FreeBSD's
 * {@code filt_soread}, {@code filt_sowrite}, {@code filt_piperead}, {@code filt_pipewrite} and
 * {@code filt_vfsread}, in terms of the object rather than of any knote. The filters of this package
 * turn them into a knote's {@code data}, {@code EV_EOF}, {@code fflags} and readiness.
 *
 * <p>A mutable holder reused by one thread; {@link #clear()} resets every field. Not thread-safe.
 */
public final class Readiness {
  private long readBytes;
  private long readLowat = 1;
  private long writeSpace;
  private boolean readable;
  private boolean writable;
  private boolean readEof;
  private boolean writeEof;
  private boolean errorPending;
  private int error;

  /** Creates a holder with nothing ready, to be filled by a probe. */
  public Readiness() {}

  /**
   * Resets every field to 0 or {@code false}.
   *
   * @return this holder
   */
  public Readiness clear() {
    readBytes = 0;
    readLowat = 1;
    writeSpace = 0;
    readable = false;
    writable = false;
    readEof = false;
    writeEof = false;
    errorPending = false;
    error = 0;
    return this;
  }

  /**
   * Bytes a read would return ({@code so_rcv} bytes, pipe buffer bytes), pending connections of a
   * listening socket, or bytes from the file offset to the end of a file (negative past the end).
   *
   * @return the count, which {@code EVFILT_READ} reports as {@code data}
   */
  public long readBytes() {
    return readBytes;
  }

  /**
   * Sets {@link #readBytes()}.
   *
   * @param bytes bytes readable, pending connections, or file size minus offset
   * @return this holder
   */
  public Readiness readBytes(long bytes) {
    this.readBytes = bytes;
    return this;
  }

  /**
   * The socket's own receive low-water mark ({@code so_rcv.sb_lowat}, set with {@code
   * SO_RCVLOWAT}): without {@code NOTE_LOWAT}, a stream socket is readable once {@link
   * #readBytes()} reaches it.
   *
   * @return the mark, 1 (the default) when the source cannot tell
   */
  public long readLowat() {
    return readLowat;
  }

  /**
   * Sets {@link #readLowat()}.
   *
   * @param bytes the socket's receive low-water mark; values below 1 count as 1
   * @return this holder
   */
  public Readiness readLowat(long bytes) {
    this.readLowat = Math.max(1, bytes);
    return this;
  }

  /**
   * Bytes a write could take now ({@code sbspace(so_snd)}, free pipe buffer).
   *
   * @return the space, which {@code EVFILT_WRITE} reports as {@code data} (not on files and
   *     listening sockets, where {@code data} is 0)
   */
  public long writeSpace() {
    return writeSpace;
  }

  /**
   * Sets {@link #writeSpace()}.
   *
   * @param bytes bytes a write could take now
   * @return this holder
   */
  public Readiness writeSpace(long bytes) {
    this.writeSpace = bytes;
    return this;
  }

  /**
   * The OS reports the descriptor readable (a datagram is queued, a connection can be accepted).
   *
   * @return whether the OS reports the descriptor readable
   */
  public boolean readable() {
    return readable;
  }

  /**
   * Sets {@link #readable()}.
   *
   * @param readable whether the OS reports the descriptor readable
   * @return this holder
   */
  public Readiness readable(boolean readable) {
    this.readable = readable;
    return this;
  }

  /**
   * The OS would accept a write now: for a stream socket, also that it is connected ({@code
   * SS_ISCONNECTED} where {@code PR_CONNREQUIRED}).
   *
   * @return whether the OS would accept a write now
   */
  public boolean writable() {
    return writable;
  }

  /**
   * Sets {@link #writable()}.
   *
   * @param writable whether the OS would accept a write now
   * @return this holder
   */
  public Readiness writable(boolean writable) {
    this.writable = writable;
    return this;
  }

  /**
   * No more data will arrive: {@code SBS_CANTRCVMORE}, or a pipe's writers are gone.
   *
   * @return whether the read side reached end of file, which sets {@code EV_EOF} on {@code
   *     EVFILT_READ}
   */
  public boolean readEof() {
    return readEof;
  }

  /**
   * Sets {@link #readEof()}.
   *
   * @param eof whether no more data will arrive
   * @return this holder
   */
  public Readiness readEof(boolean eof) {
    this.readEof = eof;
    return this;
  }

  /**
   * Nothing more can be sent: {@code SBS_CANTSENDMORE}, or a pipe's readers are gone.
   *
   * @return whether the write side reached end of file, which sets {@code EV_EOF} on {@code
   *     EVFILT_WRITE}
   */
  public boolean writeEof() {
    return writeEof;
  }

  /**
   * Sets {@link #writeEof()}.
   *
   * @param eof whether nothing more can be sent
   * @return this holder
   */
  public Readiness writeEof(boolean eof) {
    this.writeEof = eof;
    return this;
  }

  /**
   * A socket error is pending ({@code so_error != 0}); a read or write would report it.
   *
   * @return whether an error is pending, which makes the knotes of a non-listening socket ready
   */
  public boolean errorPending() {
    return errorPending;
  }

  /**
   * Sets {@link #errorPending()}.
   *
   * @param pending whether a socket error is pending
   * @return this holder
   */
  public Readiness errorPending(boolean pending) {
    this.errorPending = pending;
    return this;
  }

  /**
   * The socket's error as a FreeBSD errno ({@code so_error}), reported in {@code fflags} with
   * {@code EV_EOF}; 0 when there is none.
   *
   * @return the FreeBSD errno, or 0
   */
  public int error() {
    return error;
  }

  /**
   * Sets {@link #error()}.
   *
   * @param freeBsdErrno the socket's error as a FreeBSD errno (see {@link io.kqueue4j.Errno}), or 0
   * @return this holder
   */
  public Readiness error(int freeBsdErrno) {
    this.error = freeBsdErrno;
    return this;
  }

  @Override
  public String toString() {
    return "Readiness[readBytes=" + readBytes + ", readLowat=" + readLowat
        + ", writeSpace=" + writeSpace
        + ", readable=" + readable + ", writable=" + writable + ", readEof=" + readEof
        + ", writeEof=" + writeEof + ", errorPending=" + errorPending + ", error=" + error + "]";
  }
}
