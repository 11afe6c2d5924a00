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
 * what arrives, wait for {@code OP_WRITE} when a client is slow), so that the two can be compared
 * in one run.
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

  /** A server on {@code bind}, reading up to {@code bufferSize} bytes per event. */
  public SelectorEchoServer(SocketAddress bind, int bufferSize) throws IOException {
    this.bufferSize = bufferSize;
    this.selector = Selector.open();
    this.listener = ServerSocketChannel.open();
    listener.bind(bind, 1024);
    listener.configureBlocking(false);
    listener.register(selector, SelectionKey.OP_ACCEPT);
  }

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 7008;
    try (SelectorEchoServer server = new SelectorEchoServer(new InetSocketAddress(port), 16 * 1024)) {
      System.out.println("selector echo server on port " + server.port());
      server.run();
    }
  }

  public int port() {
    return listener.socket().getLocalPort();
  }

  public long accepted() {
    return accepted;
  }

  public long echoed() {
    return echoed;
  }

  public long writeWaits() {
    return writeWaits;
  }

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

  private void readable(SelectionKey key) {
    SocketChannel channel = (SocketChannel) key.channel();
    ByteBuffer buffer = (ByteBuffer) key.attachment();
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
    echoed += n;
    buffer.flip();
    if (!send(channel, buffer)) {
      closeQuietly(key);
    } else if (buffer.hasRemaining()) {
      writeWaits++;
      key.interestOps(SelectionKey.OP_WRITE);
    } else {
      buffer.clear();
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
