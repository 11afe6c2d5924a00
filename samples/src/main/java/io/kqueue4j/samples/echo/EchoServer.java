package io.kqueue4j.samples.echo;

import static io.kqueue4j.KEvent.EVFILT_READ;
import static io.kqueue4j.KEvent.EVFILT_USER;
import static io.kqueue4j.KEvent.EVFILT_WRITE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DISABLE;
import static io.kqueue4j.KEvent.EV_ENABLE;
import static io.kqueue4j.KEvent.EV_EOF;
import static io.kqueue4j.KEvent.EV_ERROR;
import static io.kqueue4j.KEvent.NOTE_TRIGGER;

import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;

/**
 * A TCP echo server that serves every client from one thread with one {@link KQueue}, the way a C
 * program would: {@code EVFILT_READ} on the listening socket to accept, {@code EVFILT_READ} with
 * {@code EV_CLEAR} on each connection to echo what arrives, and, when a client does not read its
 * echo fast enough, {@code EV_DISABLE} of that connection's read filter and {@code EV_ENABLE} of
 * its {@code EVFILT_WRITE} until the rest is sent. {@link #close()} stops it from any thread
 * through {@code EVFILT_USER}.
 *
 * <p>{@code EV_CLEAR} makes a connection's read event fire once per arrival of data rather than
 * for as long as data is buffered, as nginx registers its sockets: the kernel does not re-check a
 * delivered connection on the next call, which saves a probe of the socket per event. In return
 * the server reads until the socket is drained (a read that does not fill the buffer) before it
 * waits again; re-enabling the read filter after a slow client re-checks the socket, so data that
 * arrived meanwhile is not stranded.
 *
 * <p>The loop allocates nothing per event: changes and events travel in {@link KEventBuffer}s, and
 * each connection is its knotes' {@code udata}.
 *
 * <pre>java io.kqueue4j.samples.echo.EchoServer [port]</pre>
 */
public final class EchoServer implements Runnable, AutoCloseable {
  private static final long STOP = 1;
  private static final Object LISTENER = new Object();

  private final KQueue kq;
  private final ServerSocketChannel listener;
  private final int listenFd;
  private final int bufferSize;
  private final KEventBuffer changes = new KEventBuffer(4096);
  private final KEventBuffer events = new KEventBuffer(512);
  private final Set<Connection> connections = new HashSet<>();
  private volatile boolean running = true;
  private volatile boolean stopped;
  private volatile long accepted;
  private volatile int openConnections;
  private volatile long echoed;
  private volatile long writeWaits;

  /**
   * A server on {@code bind} that will run on {@code kq} (which the caller keeps and closes).
   *
   * @param kq the kqueue the server registers on and waits in
   * @param bind the address to listen on; port 0 picks a free port (see {@link #port()})
   * @param bufferSize bytes read per event and held per connection while its client is slow
   * @throws IOException if the socket cannot be opened or bound, or registering its
   *     {@code EVFILT_READ} and the stop {@code EVFILT_USER} knote fails
   */
  public EchoServer(KQueue kq, SocketAddress bind, int bufferSize) throws IOException {
    this.kq = kq;
    this.bufferSize = bufferSize;
    this.listener = ServerSocketChannel.open();
    listener.bind(bind, 1024);
    listener.configureBlocking(false);
    this.listenFd = FileDescriptors.of(listener);
    kq.kevent(new KEvent[] {
        KEvent.of(listenFd, EVFILT_READ, EV_ADD, 0, 0, LISTENER),
        KEvent.of(STOP, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, null)}, null, Duration.ZERO);
  }

  /**
   * Runs a server on all interfaces until the process is killed.
   *
   * @param args an optional port, 7007 if absent
   * @throws Exception if the kqueue or the server cannot be opened
   */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 7007;
    try (KQueue kq = KQueue.open();
        EchoServer server = new EchoServer(kq, new InetSocketAddress(port), 16 * 1024)) {
      System.out.println("echo server on port " + server.port() + ", kqueue backend "
          + kq.backend() + ", descriptors " + FileDescriptors.support());
      server.run();
    }
  }

  /**
   * The port the server listens on.
   *
   * @return the bound local port
   */
  public int port() {
    return listener.socket().getLocalPort();
  }

  /**
   * Connections accepted so far.
   *
   * @return the number of accepted connections, closed ones included
   */
  public long accepted() {
    return accepted;
  }

  /**
   * Connections open now: accepted, and not yet closed after their client went away, failed, or
   * the server stopped.
   *
   * @return the number of connections the server currently holds
   */
  public int openConnections() {
    return openConnections;
  }

  /**
   * Bytes echoed so far.
   *
   * @return the number of bytes read from clients to be written back
   */
  public long echoed() {
    return echoed;
  }

  /**
   * How often a slow client made the server wait for {@code EVFILT_WRITE}.
   *
   * @return the number of times a connection's read filter was disabled to wait for writability
   */
  public long writeWaits() {
    return writeWaits;
  }

  /** Serves until {@link #close()}; then closes every connection and the listening socket. */
  @Override
  public void run() {
    try {
      while (running) {
        kq.kevent(changes, events, -1);
        changes.clear();
        for (int i = 0; i < events.size(); i++) {
          dispatch(i);
        }
      }
    } catch (KQueueException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (Connection c : new ArrayList<>(connections)) {
        c.close();
      }
      closeQuietly(listenFd);
      stopped = true;
    }
  }

  private void dispatch(int i) throws KQueueException {
    Object udata = events.udata(i);
    int flags = events.flags(i);
    if (events.filter(i) == EVFILT_USER) {
      running = false;
    } else if ((flags & EV_ERROR) != 0) {
      if (udata instanceof Connection) {
        ((Connection) udata).close(); // a change on a connection that has gone
      }
    } else if (udata == LISTENER) {
      accept(events.data(i));
    } else if (events.filter(i) == EVFILT_READ) {
      ((Connection) udata).readable(flags);
    } else {
      ((Connection) udata).writable();
    }
  }

  private void accept(long pending) throws KQueueException {
    for (long n = Math.max(1, pending); n > 0; n--) {
      SocketChannel channel;
      try {
        channel = listener.accept();
        if (channel == null) {
          return;
        }
        channel.configureBlocking(false);
      } catch (IOException e) {
        return;
      }
      Connection c = new Connection(channel, FileDescriptors.of(channel));
      connections.add(c);
      openConnections = connections.size();
      accepted++;
      change(c.fd, EVFILT_READ, EV_ADD | EV_CLEAR, c);
      change(c.fd, EVFILT_WRITE, EV_ADD | EV_DISABLE, c);
    }
  }

  private void change(int fd, short filter, int flags, Object udata) throws KQueueException {
    if (changes.size() == changes.capacity()) {
      kq.kevent(changes, null, 0);
      changes.clear();
    }
    changes.add(fd, filter, flags, 0, 0, udata);
  }

  /**
   * Stops the server from any thread: {@link #run()} wakes through {@code EVFILT_USER}, closes
   * every connection and the listening socket, and returns ({@link #isStopped()}).
   */
  @Override
  public void close() {
    running = false;
    if (stopped) {
      return;
    }
    try {
      kq.kevent(new KEvent[] {KEvent.of(STOP, EVFILT_USER, 0, NOTE_TRIGGER, 0, null)}, null,
          Duration.ZERO);
    } catch (KQueueException e) {
      // the queue is closed: run() has ended with EBADF
    }
  }

  /**
   * Whether {@link #run()} has ended.
   *
   * @return true once the serving loop has returned and closed its sockets
   */
  public boolean isStopped() {
    return stopped;
  }

  private static void closeQuietly(int fd) {
    try {
      FileDescriptors.close(fd);
    } catch (KQueueException e) {
      // already closed
    }
  }

  /** One client: its channel, its descriptor, and the echo it still owes. */
  private final class Connection {
    final SocketChannel channel;
    final int fd;
    final ByteBuffer buffer;
    boolean open = true;

    Connection(SocketChannel channel, int fd) {
      this.channel = channel;
      this.fd = fd;
      this.buffer = ByteBuffer.allocateDirect(bufferSize);
    }

    /** Echoes until the socket is drained, or the client stops reading its echo. */
    void readable(int flags) throws KQueueException {
      while (true) {
        int n;
        try {
          n = channel.read(buffer);
        } catch (IOException e) {
          n = -1;
        }
        if (n < 0 || n == 0 && (flags & EV_EOF) != 0) {
          close();
          return;
        }
        boolean drained = buffer.hasRemaining();
        echoed += n;
        buffer.flip();
        if (!send()) {
          close();
          return;
        }
        if (buffer.hasRemaining()) {
          writeWaits++;
          change(fd, EVFILT_READ, EV_DISABLE, this);
          change(fd, EVFILT_WRITE, EV_ENABLE, this);
          return;
        }
        buffer.clear();
        if (drained) {
          return;
        }
      }
    }

    void writable() throws KQueueException {
      if (!send()) {
        close();
      } else if (!buffer.hasRemaining()) {
        buffer.clear();
        change(fd, EVFILT_WRITE, EV_DISABLE, this);
        change(fd, EVFILT_READ, EV_ENABLE, this);
      }
    }

    private boolean send() {
      try {
        channel.write(buffer);
        return true;
      } catch (IOException e) {
        return false;
      }
    }

    /** {@link FileDescriptors#close}: closes the channel and drops both knotes, as close(2) does. */
    void close() {
      if (open) {
        open = false;
        connections.remove(this);
        openConnections = connections.size();
        closeQuietly(fd);
      }
    }
  }

  /** The server's counters, for diagnostics. */
  @Override
  public String toString() {
    return "EchoServer[port=" + port() + ", connections=" + openConnections + ", accepted="
        + accepted + ", echoed=" + echoed + ", writeWaits=" + writeWaits + "]";
  }
}
