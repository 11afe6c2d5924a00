package io.kqueue4j.filters.descriptor;

import static io.kqueue4j.KEvent.EV_EOF;
import static io.kqueue4j.KEvent.NOTE_LOWAT;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.KNote;

/**
 * {@code EVFILT_WRITE} on a descriptor that is not a kqueue: the write filter of the object the
 * descriptor refers to, chosen by {@link DescriptorKind}.
 *
 * <ul>
 *   <li>Sockets, {@code filt_sowrite}: {@code data} = buffer space; {@code EV_EOF} with {@code
 *       fflags} = the socket error once nothing more can be sent; ready when an error is pending;
 *       otherwise never before a stream socket is connected, and then when the OS would take a
 *       write, with {@code NOTE_LOWAT} also only when {@code data >= sdata}.
 *   <li>Listening sockets: never.
 *   <li>Pipes and FIFOs, {@code filt_pipewrite}: {@code data} = free buffer space; {@code EV_EOF}
 *       (and ready, {@code data} 0) when no reader is left; ready when the OS would take {@code
 *       PIPE_BUF} bytes. Registering on an anonymous pipe whose read end is closed fails with {@code
 *       EPIPE}, as {@code pipe_kqfilter} does. On a read-only end it never fires.
 *   <li>Files and directories, {@code filt_vfswrite}: always ready, {@code data} 0.
 *   <li>Anything else: ready while the OS's poll says writable; {@code EV_EOF} on hang-up or error.
 * </ul>
 */
final class WriteFilter extends FilterOpsBase {
  static final WriteFilter INSTANCE = new WriteFilter();

  private WriteFilter() {
    super(false);
  }

  @Override
  void check(KNote kn, WatchedDescriptor wd) throws KQueueException {
    DescriptorWatch watch = wd.watch;
    if (watch.kind() == DescriptorKind.PIPE && watch.writeOpen()) {
      Readiness r = new Readiness();
      watch.probe(0, false, r);
      if (r.writeEof()) {
        throw new KQueueException("kevent", Errno.EPIPE,
            "EVFILT_WRITE on pipe descriptor " + wd.fd + ": the read end is closed");
      }
    }
  }

  @Override
  boolean evaluate(KNote kn, DescriptorKind kind, Readiness r) {
    switch (kind) {
      case STREAM_SOCKET:
      case DATAGRAM_SOCKET:
        kn.setData(r.writeSpace());
        if (r.writeEof()) {
          kn.addFlags(EV_EOF);
          kn.setFflags(r.error());
          return true;
        }
        if (r.errorPending()) {
          return true;
        }
        if (!r.writable()) {
          return false;
        }
        return (kn.sfflags() & NOTE_LOWAT) == 0 || kn.data() >= kn.sdata();
      case LISTENING_SOCKET:
        kn.setData(0);
        return false;
      case PIPE:
      case FIFO:
        if (r.writeEof()) {
          kn.setData(0);
          kn.addFlags(EV_EOF);
          return true;
        }
        kn.setData(r.writeSpace());
        return r.writable();
      case VNODE:
        kn.setData(0);
        return true;
      case OTHER:
      default:
        kn.setData(r.writeSpace());
        if (r.writeEof()) {
          kn.addFlags(EV_EOF);
          return true;
        }
        return r.writable();
    }
  }
}
