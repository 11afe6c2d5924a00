package io.kqueue4j.linux.proc;

import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.LibC;
import io.kqueue4j.linux.LinuxErrno;
import io.kqueue4j.linux.internal.Availability;
import io.kqueue4j.linux.internal.DirectBuffers;
import io.kqueue4j.linux.internal.NativeLibrary;
import io.kqueue4j.linux.internal.NetlinkFunctions;
import io.kqueue4j.linux.internal.NetlinkLibrary;
import io.kqueue4j.linux.internal.OwnedFd;
import java.nio.ByteBuffer;

/**
 * A netlink socket of the process-event connector: {@code socket(AF_NETLINK, SOCK_DGRAM |
 * SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR)} bound to the multicast group {@code
 * CN_IDX_PROC}, with a receive buffer enlarged to {@link #RECEIVE_BUFFER} so that bursts of forks
 * are less likely to overflow it ({@code ENOBUFS} on the next read).
 *
 * <p>Not thread-safe: one thread reads, and {@link #send} and {@link #close} are called by its
 * owner under its own lock. {@link #close} must not race with the other methods.
 */
final class ProcConnectorSocket {

  static final int AF_NETLINK = 16;
  static final int SOCK_DGRAM = 2;
  static final int NETLINK_CONNECTOR = 11;
  static final int SOL_SOCKET = 1;
  static final int SO_RCVBUF = 8;
  /** {@code SO_RCVBUFFORCE}: {@code SO_RCVBUF} beyond {@code rmem_max}, with {@code CAP_NET_ADMIN}. */
  static final int SO_RCVBUFFORCE = 33;
  /** {@code sizeof(struct sockaddr_nl)}: family u16, pad u16, pid u32, groups u32. */
  static final int SOCKADDR_NL_SIZE = 12;
  /** The receive buffer asked for: 4 MiB, about 50,000 events. */
  static final int RECEIVE_BUFFER = 4 << 20;
  /** One read: the kernel sends one event per datagram, so this holds many datagrams' worth. */
  private static final int READ_SIZE = 64 << 10;

  private final OwnedFd fd;
  private final ByteBuffer request = DirectBuffers.allocate(ProcConnectorMessages.REQUEST_SIZE);
  private final long requestAddress = DirectBuffers.address(request);
  private final ByteBuffer received = DirectBuffers.allocate(READ_SIZE);
  private final long receivedAddress = DirectBuffers.address(received);

  private ProcConnectorSocket(int fd) {
    this.fd = new OwnedFd(fd);
  }

  /** Whether a connector socket can be created here (probed once by creating and closing one). */
  static Availability availability() {
    return Probe.RESULT;
  }

  /**
   * Opens the socket and joins {@code CN_IDX_PROC}.
   *
   * @throws ErrnoException from {@code socket} ({@code EPROTONOSUPPORT} outside the initial network
   *     namespace, where the connector does not exist) or {@code bind} ({@code EPERM} where joining
   *     the group needs {@code CAP_NET_ADMIN})
   */
  static ProcConnectorSocket open() throws ErrnoException {
    Probe.RESULT.require();
    ProcConnectorSocket socket = new ProcConnectorSocket(create());
    try {
      socket.enlargeReceiveBuffer();
      socket.bind();
    } catch (ErrnoException | RuntimeException e) {
      socket.close();
      throw e;
    }
    return socket;
  }

  int fd() {
    return fd.get();
  }

  /** Sends a {@code PROC_CN_MCAST_LISTEN} or {@code IGNORE} request to the kernel. */
  void send(int op, int seq, int ack) throws ErrnoException {
    ProcConnectorMessages.writeRequest(request, op, seq, ack);
    int n = LibC.write(fd.get(), requestAddress, ProcConnectorMessages.REQUEST_SIZE);
    if (n != ProcConnectorMessages.REQUEST_SIZE) {
      throw new ErrnoException("write", LinuxErrno.EAGAIN, "process-event connector request");
    }
  }

  /**
   * Reads one datagram and decodes it into {@code handler}.
   *
   * @return false when nothing was pending
   * @throws ErrnoException {@code ENOBUFS} when the kernel dropped messages because the buffer was
   *     full (the socket stays usable), or another failure
   */
  boolean receive(ProcConnectorMessages.Handler handler) throws ErrnoException {
    int n = LibC.read(fd.get(), receivedAddress, READ_SIZE);
    if (n < 0) {
      return false;
    }
    ProcConnectorMessages.decode(received, n, handler);
    return true;
  }

  void close() {
    try {
      fd.close();
    } catch (ErrnoException e) {
      // the descriptor is released by Linux whatever close reports
    }
  }

  /** {@code SO_RCVBUFFORCE} when allowed, else {@code SO_RCVBUF} (capped by {@code rmem_max}). */
  private void enlargeReceiveBuffer() {
    NetlinkFunctions net = NetlinkLibrary.get().functions();
    ByteBuffer value = DirectBuffers.allocate(Integer.BYTES).putInt(0, RECEIVE_BUFFER);
    long address = DirectBuffers.address(value);
    if (net.setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, address, Integer.BYTES) < 0) {
      net.setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, address, Integer.BYTES); // best effort
    }
  }

  private void bind() throws ErrnoException {
    ByteBuffer address = DirectBuffers.allocate(SOCKADDR_NL_SIZE);
    address.putShort(0, (short) AF_NETLINK);
    address.putInt(4, 0); // nl_pid 0: the kernel assigns the port id
    address.putInt(8, 1 << (ProcConnectorMessages.CN_IDX_PROC - 1));
    NetlinkFunctions net = NetlinkLibrary.get().functions();
    if (net.bind(fd.get(), DirectBuffers.address(address), SOCKADDR_NL_SIZE) < 0) {
      throw new ErrnoException("bind", NativeLibrary.errno(),
          "netlink group CN_IDX_PROC of the process-event connector");
    }
  }

  private static int create() throws ErrnoException {
    int type = SOCK_DGRAM | LibC.O_NONBLOCK | LibC.O_CLOEXEC;
    int s = NetlinkLibrary.get().functions().socket(AF_NETLINK, type, NETLINK_CONNECTOR);
    if (s < 0) {
      throw new ErrnoException("socket", NativeLibrary.errno(), "AF_NETLINK, NETLINK_CONNECTOR");
    }
    return s;
  }

  private static final class Probe {
    static final Availability RESULT = Availability.probe(
        "the netlink process-event connector", NetlinkLibrary.get(), () -> LibC.close(create()));
  }
}
