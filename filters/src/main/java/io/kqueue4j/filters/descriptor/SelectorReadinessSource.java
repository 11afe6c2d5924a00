package io.kqueue4j.filters.descriptor;

import static java.nio.channels.SelectionKey.OP_ACCEPT;
import static java.nio.channels.SelectionKey.OP_CONNECT;
import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.StandardSocketOptions;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The portable fallback source of {@code EVFILT_READ}/{@code EVFILT_WRITE}: one JDK {@link
 * Selector} and one thread ({@code kqueue4j-selector}) for every channel token of {@link
 * SelectorDescriptors}. It is used only where no native source is available, and says so: {@link
 * ReadinessSources#activeName()} is {@value #NAME} and {@link ReadinessSources#isFallback()} is
 * {@code true}.
 *
 * <p>What it covers, and what it cannot know without native calls:
 *
 * <ul>
 *   <li>Selectable channels are switched to non-blocking mode when first watched (a {@code
 *       Selector} requires it).
 *   <li>A selector is level-triggered; to avoid spinning, a side that was reported is not watched
 *       again until the kernel finds it not ready or delivers it. {@code EV_CLEAR} therefore
 *       behaves like a level-triggered registration: a side that stays ready is reported again
 *       after each delivery.
 *   <li>{@code data}: bytes readable on a {@link SocketChannel} (the JDK's {@code available()}),
 *       bytes to the end of a {@link FileChannel}, {@code SO_SNDBUF} as the writable space of a
 *       socket. Counts the JDK does not expose are 0 (datagram channels, pending connections and
 *       pipe space), except 1 for a readable pipe and an acceptable server socket.
 *   <li>{@code EV_EOF} on a socket: when the selector reports it readable with no byte available,
 *       or after a local shutdown; {@code fflags} carries no socket error. A pipe's end of file is
 *       seen only by the read that returns -1.
 *   <li>Files: {@code data} is computed whenever the kernel checks (registration, {@code
 *       EV_ENABLE}, every delivery), but a file that grows is not noticed by itself.
 * </ul>
 */
public final class SelectorReadinessSource implements ReadinessSource {
  /** The value of {@link #name()}. */
  public static final String NAME = "portable-selector";
  static final String SUPPORT_NAME = SelectorDescriptors.NAME;
  private static final System.Logger LOG = System.getLogger(SelectorReadinessSource.class.getName());
  private static final long HINT = 1L << 40;
  private static final SelectorReadinessSource INSTANCE = new SelectorReadinessSource();

  private final Object lock = new Object();
  private Selector selector;

  /** Service loader constructor; every instance shares one selector thread. */
  public SelectorReadinessSource() {}

  static SelectorReadinessSource instance() {
    return INSTANCE;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String supportName() {
    return SUPPORT_NAME;
  }

  @Override
  public int priority() {
    return 0;
  }

  @Override
  public Throwable unavailabilityCause() {
    return null;
  }

  @Override
  public DescriptorWatch watch(int fd, ReadinessListener listener) throws KQueueException {
    Channel channel = SelectorDescriptors.channel(fd);
    if (channel == null || !channel.isOpen()) {
      throw new KQueueException("kevent", Errno.EBADF, "descriptor " + fd + " is not open");
    }
    if (channel instanceof FileChannel) {
      return new FileWatch((FileChannel) channel);
    }
    if (channel instanceof SelectableChannel) {
      return new ChannelWatch((SelectableChannel) channel, listener, INSTANCE.selector());
    }
    throw new KQueueException("kevent", Errno.ENODEV,
        "descriptor " + fd + " (" + channel.getClass().getName() + ") cannot be selected");
  }

  private Selector selector() throws KQueueException {
    synchronized (lock) {
      if (selector == null) {
        try {
          selector = Selector.open();
        } catch (IOException e) {
          throw new KQueueException("kevent", Errno.EIO, "opening the selector: " + e, e);
        }
        Selector started = selector;
        Thread thread = new Thread(() -> run(started), "kqueue4j-selector");
        thread.setDaemon(true);
        thread.start();
      }
      return selector;
    }
  }

  private static void run(Selector selector) {
    while (true) {
      try {
        selector.select();
      } catch (IOException e) {
        LOG.log(Level.ERROR, "select failed; descriptor events stop", e);
        return;
      }
      Iterator<SelectionKey> it = selector.selectedKeys().iterator();
      while (it.hasNext()) {
        SelectionKey key = it.next();
        it.remove();
        try {
          ((ChannelWatch) key.attachment()).fire(key);
        } catch (CancelledKeyException e) {
          // closed meanwhile
        } catch (RuntimeException | Error e) {
          LOG.log(Level.ERROR, "descriptor event handler failed", e);
        }
      }
    }
  }

  /** A selectable channel: readiness from the selector, counts where the JDK exposes them. */
  private static final class ChannelWatch implements DescriptorWatch {
    private final SelectableChannel channel;
    private final ReadinessListener listener;
    private final Selector selector;
    private final DescriptorKind kind;
    /** Ops the selector reported and no delivery or failed check has consumed yet. */
    private final AtomicInteger readyOps = new AtomicInteger();
    private volatile SelectionKey key;
    private volatile boolean wantRead;
    private volatile boolean wantWrite;
    private volatile boolean eof;

    ChannelWatch(SelectableChannel channel, ReadinessListener listener, Selector selector) {
      this.channel = channel;
      this.listener = listener;
      this.selector = selector;
      if (channel instanceof ServerSocketChannel) {
        kind = DescriptorKind.LISTENING_SOCKET;
      } else if (channel instanceof SocketChannel) {
        kind = DescriptorKind.STREAM_SOCKET;
      } else if (channel instanceof DatagramChannel) {
        kind = DescriptorKind.DATAGRAM_SOCKET;
      } else if (channel instanceof Pipe.SourceChannel || channel instanceof Pipe.SinkChannel) {
        kind = DescriptorKind.PIPE;
      } else {
        kind = DescriptorKind.OTHER;
      }
    }

    @Override
    public DescriptorKind kind() {
      return kind;
    }

    @Override
    public boolean readOpen() {
      return !(channel instanceof Pipe.SinkChannel);
    }

    @Override
    public boolean writeOpen() {
      return !(channel instanceof Pipe.SourceChannel);
    }

    private int readOps() {
      return channel.validOps() & (OP_READ | OP_ACCEPT);
    }

    private int writeOps() {
      if (channel instanceof SocketChannel && ((SocketChannel) channel).isConnectionPending()) {
        return OP_CONNECT;
      }
      return channel.validOps() & OP_WRITE;
    }

    @Override
    public void interest(boolean read, boolean write) throws KQueueException {
      boolean newRead = read && !wantRead;
      boolean newWrite = write && !wantWrite;
      wantRead = read;
      wantWrite = write;
      int ops = (newRead ? readOps() : 0) | (newWrite ? writeOps() : 0);
      try {
        SelectionKey k = key;
        if (k == null) {
          channel.configureBlocking(false);
          key = channel.register(selector, ops, this);
          selector.wakeup();
        } else {
          arm(ops);
        }
      } catch (IOException | RuntimeException e) {
        throw new KQueueException("kevent", Errno.EIO, "selecting " + channel + ": " + e, e);
      }
    }

    /** Watches {@code ops} again; wakes the selector only when that changes its interest set. */
    private void arm(int ops) {
      SelectionKey k = key;
      if (k == null || ops == 0) {
        return;
      }
      try {
        if ((k.interestOpsOr(ops) & ops) != ops) {
          selector.wakeup();
        }
      } catch (CancelledKeyException e) {
        // the channel was closed
      }
    }

    @Override
    public void rearm(boolean read) {
      if (read ? wantRead : wantWrite) {
        arm(read ? readOps() : writeOps());
      }
    }

    @Override
    public void delivered(boolean read) {
      readyOps.getAndUpdate(ops -> ops & ~(read ? readOps() : OP_WRITE | OP_CONNECT));
      rearm(read);
    }

    /** From the selector thread: stop watching what was reported, then post it. */
    void fire(SelectionKey k) {
      int ops = k.readyOps();
      k.interestOpsAnd(~ops);
      readyOps.getAndUpdate(old -> old | ops);
      if ((ops & (OP_READ | OP_ACCEPT)) != 0) {
        listener.readReady(HINT | ops);
      }
      if ((ops & (OP_WRITE | OP_CONNECT)) != 0) {
        listener.writeReady(HINT | ops);
      }
    }

    @Override
    public void probe(long hint, boolean read, Readiness out) {
      int ready = readyOps.get();
      if (read) {
        probeRead(hint, ready, out);
      } else {
        probeWrite(ready, out);
      }
    }

    private void probeRead(long hint, int ready, Readiness out) {
      boolean reported = (ready & readOps()) != 0;
      switch (kind) {
        case STREAM_SOCKET:
          SocketChannel socket = (SocketChannel) channel;
          int available = available(socket);
          if (available < 0 || hint != 0 && reported && available == 0) {
            eof = true; // readable with nothing to read: the peer shut down (or reset)
          }
          out.readBytes(Math.max(0, available));
          out.readable(available > 0);
          out.readEof(eof);
          break;
        case PIPE:
          out.readBytes(reported ? 1 : 0);
          out.readable(reported);
          break;
        case LISTENING_SOCKET:
          out.readBytes(reported ? 1 : 0);
          out.readable(reported);
          break;
        default:
          out.readable(reported);
          break;
      }
    }

    private void probeWrite(int ready, Readiness out) {
      boolean reported = (ready & (OP_WRITE | OP_CONNECT)) != 0;
      out.writable(reported);
      if (kind == DescriptorKind.STREAM_SOCKET) {
        SocketChannel socket = (SocketChannel) channel;
        out.writeEof(socket.socket().isOutputShutdown());
        if (reported) {
          try {
            out.writeSpace(socket.getOption(StandardSocketOptions.SO_SNDBUF));
          } catch (IOException | RuntimeException e) {
            out.writeSpace(0);
          }
        }
      }
    }

    /** FIONREAD through the JDK's socket adaptor; -1 when input is shut down or closed. */
    private static int available(SocketChannel socket) {
      if (!socket.isConnected()) {
        return 0;
      }
      try {
        InputStream in = socket.socket().getInputStream();
        return in.available();
      } catch (IOException | RuntimeException e) {
        return -1;
      }
    }

    @Override
    public void close() {
      SelectionKey k = key;
      if (k != null) {
        k.cancel();
        selector.wakeup();
      }
    }

    @Override
    public String toString() {
      return "ChannelWatch[" + channel + ", kind=" + kind + "]";
    }
  }

  /** A file channel: {@code data} from its size and position; no change notification. */
  private static final class FileWatch implements DescriptorWatch {
    private final FileChannel file;

    FileWatch(FileChannel file) {
      this.file = file;
    }

    @Override
    public DescriptorKind kind() {
      return DescriptorKind.VNODE;
    }

    @Override
    public void probe(long hint, boolean read, Readiness out) {
      if (read) {
        try {
          out.readBytes(file.size() - file.position());
        } catch (IOException e) {
          out.readBytes(0);
        }
      }
    }

    @Override
    public void interest(boolean read, boolean write) {}

    @Override
    public void close() {}
  }
}
