package io.kqueue4j.samples.echo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;

/**
 * {@link EchoServer}'s twin on a JDK {@link Selector}, line for line the same logic (accept, echo
 * what arrives until the socket is drained, wait for {@code OP_WRITE} when a client is slow), so
 * that the two can be compared in one run. The selector's readiness is level-triggered, where
 * {@link EchoServer} registers {@code EV_CLEAR}: a JDK {@code Selector} has no edge-triggered mode.
 *
 * <pre>java io.kqueue4j.samples.echo.SelectorEchoServer [port]</pre>
 */
public final class SelectorEchoServer implements Runnable, AutoCloseable {
  private final Selector selector;
  private final ServerSocketChannel listener;
  private final int bufferSize;
  private volatile boolean running = true;
  private volatile boolean stopped;
  private volatile long accepted;
  private volatile long echoed;
  private volatile long writeWaits;

  /**
   * A server on {@code bind}, reading up to {@code bufferSize} bytes per event.
   *
   * @param bind the address to listen on; port 0 picks a free port (see {@link #port()})
   * @param bufferSize bytes read per event and held per connection while its client is slow
   * @throws IOException if the selector or the listening socket cannot be opened or bound
   */
  public SelectorEchoServer(SocketAddress bind, int bufferSize) throws IOException {
    this.bufferSize = bufferSize;
    this.selector = Selector.open();
    this.listener = ServerSocketChannel.open();
    listener.bind(bind, 1024);
    listener.configureBlocking(false);
    listener.register(selector, SelectionKey.OP_ACCEPT);
  }

  /**
   * Runs a server on all interfaces until the process is killed.
   *
   * @param args an optional port, 7008 if absent
   * @throws Exception if the server cannot be opened
   */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 7008;
    try (SelectorEchoServer server = new SelectorEchoServer(new InetSocketAddress(port), 16 * 1024)) {
      System.out.println("selector echo server on port " + server.port());
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
   * Bytes echoed so far.
   *
   * @return the number of bytes read from clients to be written back
   */
  public long echoed() {
    return echoed;
  }

  /**
   * How often a slow client made the server wait for {@code OP_WRITE}.
   *
   * @return the number of times a connection's interest was switched from reading to writing
   */
  public long writeWaits() {
    return writeWaits;
  }

  /**
   * Whether {@link #run()} has ended.
   *
   * @return true once the serving loop has returned and closed its sockets
   */
  public boolean isStopped() {
    return stopped;
  }

  @Override
  public void run() {
    try {
      while (running) {
        selector.select();
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
          SelectionKey key = it.next();
          it.remove();
          if (!key.isValid()) {
            continue;
          }
          if (key.isAcceptable()) {
            accept();
          } else if (key.isReadable()) {
            readable(key);
          } else if (key.isWritable()) {
            writable(key);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (SelectionKey key : selector.keys()) {
        closeQuietly(key);
      }
      try {
        selector.close();
      } catch (IOException e) {
        // closing anyway
      }
      stopped = true;
    }
  }

  private void accept() throws IOException {
    SocketChannel channel;
    while ((channel = listener.accept()) != null) {
      channel.configureBlocking(false);
      channel.register(selector, SelectionKey.OP_READ, ByteBuffer.allocateDirect(bufferSize));
      accepted++;
    }
  }

  /** Echoes until the socket is drained, or the client stops reading its echo. */
  private void readable(SelectionKey key) {
    SocketChannel channel = (SocketChannel) key.channel();
    ByteBuffer buffer = (ByteBuffer) key.attachment();
    while (true) {
      int n;
      try {
        n = channel.read(buffer);
      } catch (IOException e) {
        n = -1;
      }
      if (n < 0) {
        closeQuietly(key);
        return;
      }
      boolean drained = buffer.hasRemaining();
      echoed += n;
      buffer.flip();
      if (!send(channel, buffer)) {
        closeQuietly(key);
        return;
      }
      if (buffer.hasRemaining()) {
        writeWaits++;
        key.interestOps(SelectionKey.OP_WRITE);
        return;
      }
      buffer.clear();
      if (drained) {
        return;
      }
    }
  }

  private void writable(SelectionKey key) {
    SocketChannel channel = (SocketChannel) key.channel();
    ByteBuffer buffer = (ByteBuffer) key.attachment();
    if (!send(channel, buffer)) {
      closeQuietly(key);
    } else if (!buffer.hasRemaining()) {
      buffer.clear();
      key.interestOps(SelectionKey.OP_READ);
    }
  }

  private static boolean send(SocketChannel channel, ByteBuffer buffer) {
    try {
      channel.write(buffer);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void closeQuietly(SelectionKey key) {
    try {
      key.channel().close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** Stops the server from any thread; {@link #run()} closes everything and returns. */
  @Override
  public void close() {
    running = false;
    selector.wakeup();
  }
}
