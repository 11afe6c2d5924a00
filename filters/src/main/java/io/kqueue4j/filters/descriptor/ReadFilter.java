package io.kqueue4j.filters.descriptor;

import static io.kqueue4j.KEvent.EV_EOF;
import static io.kqueue4j.KEvent.NOTE_FILE_POLL;
import static io.kqueue4j.KEvent.NOTE_LOWAT;

import io.kqueue4j.kernel.KNote;

/**
 * {@code EVFILT_READ} on a descriptor that is not a kqueue: the read filter of the object the
 * descriptor refers to, chosen by {@link DescriptorKind}.
 *
 * <ul>
 *   <li>Sockets, {@code filt_soread}: {@code data} = bytes readable; {@code EV_EOF} with {@code
 *       fflags} = the socket error once no more data can arrive; ready when an error is pending, or
 *       with {@code NOTE_LOWAT} when {@code data >= sdata}, else when {@code data} reaches the
 *       socket's {@code SO_RCVLOWAT} (1 unless set; a stream) or a datagram is queued.
 *   <li>Listening sockets, {@code filt_soread}'s listen branch: {@code data} = completed
 *       connections; ready while one can be accepted; {@code EV_EOF} with a pending error.
 *   <li>Pipes and FIFOs, {@code filt_piperead}: {@code data} = bytes buffered; {@code EV_EOF} (and
 *       ready) when no writer is left; on a FIFO {@code EV_EOF} is cleared when a writer comes back;
 *       {@code NOTE_LOWAT} is ignored, as FreeBSD does. On a write-only end it never fires.
 *   <li>Files and directories, {@code filt_vfsread}: {@code data} = size minus offset; ready while
 *       that is not 0, or always with {@code NOTE_FILE_POLL}.
 *   <li>Anything else: ready while the OS's poll says readable; {@code EV_EOF} on hang-up.
 * </ul>
 */
final class ReadFilter extends FilterOpsBase {
  static final ReadFilter INSTANCE = new ReadFilter();

  private ReadFilter() {
    super(true);
  }

  @Override
  boolean evaluate(KNote kn, DescriptorKind kind, Readiness r) {
    kn.setData(r.readBytes());
    switch (kind) {
      case STREAM_SOCKET:
      case DATAGRAM_SOCKET:
        if (r.readEof()) {
          kn.addFlags(EV_EOF);
          kn.setFflags(r.error());
          return true;
        }
        if (r.errorPending()) {
          return true; // a temporary (UDP) error: the read reports it
        }
        if ((kn.sfflags() & NOTE_LOWAT) != 0 && kn.data() >= kn.sdata()) {
          return true;
        }
        if ((kn.sfflags() & NOTE_LOWAT) != 0) {
          return false;
        }
        // sbavail >= so_rcv.sb_lowat; a datagram counts even when empty (its address is buffered
        // too, and sbavail counts it)
        return kind == DescriptorKind.STREAM_SOCKET ? kn.data() >= r.readLowat() : r.readable();
      case LISTENING_SOCKET:
        if (r.error() != 0) {
          kn.addFlags(EV_EOF);
          kn.setFflags(r.error());
          return true;
        }
        return r.readable();
      case PIPE:
      case FIFO:
        if (r.readEof()) {
          kn.addFlags(EV_EOF);
          return true;
        }
        if (kind == DescriptorKind.FIFO) {
          kn.clearFlags(EV_EOF); // a writer came back
        }
        return kn.data() > 0;
      case VNODE:
        return (kn.sfflags() & NOTE_FILE_POLL) != 0 || kn.data() != 0;
      case OTHER:
      default:
        if (r.readEof()) {
          kn.addFlags(EV_EOF);
          return true;
        }
        return r.readable();
    }
  }
}
