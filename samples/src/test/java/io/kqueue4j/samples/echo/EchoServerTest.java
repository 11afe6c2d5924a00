package io.kqueue4j.samples.echo;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.KQueue;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Starts {@link EchoServer} on an emulated kqueue and checks what many loopback clients get back. */
@EnabledOnOs(OS.LINUX)
class EchoServerTest {
  private KQueue kq;
  private EchoServer server;
  private Thread thread;
  private final List<SocketChannel> clients = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    kq = KQueue.emulated();
    server = new EchoServer(kq, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8192);
    thread = new Thread(server, "echo-server");
    thread.start();
  }

  @AfterEach
  void stop() throws Exception {
    for (SocketChannel c : clients) {
      c.close();
    }
    server.close();
    thread.join(10_000);
    kq.close();
  }

  private SocketChannel connect() throws Exception {
    SocketChannel c = SocketChannel.open(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
    clients.add(c);
    return c;
  }

  private static byte[] readFully(SocketChannel c, int n) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining()) {
      if (c.read(b) < 0) {
        throw new AssertionError("end of stream after " + b.position() + " of " + n + " bytes");
      }
    }
    return b.array();
  }

  private static void writeFully(SocketChannel c, byte[] bytes) throws Exception {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    while (b.hasRemaining()) {
      c.write(b);
    }
  }

  @Test
  void echoesToManyClientsFromOneThread() throws Exception {
    int count = 200;
    for (int i = 0; i < count; i++) {
      connect();
    }
    Random random = new Random(42);
    for (int round = 0; round < 5; round++) {
      byte[][] sent = new byte[count][];
      for (int i = 0; i < count; i++) {
        sent[i] = new byte[1 + random.nextInt(3000)];
        random.nextBytes(sent[i]);
        writeFully(clients.get(i), sent[i]);
      }
      for (int i = 0; i < count; i++) {
        assertArrayEquals(sent[i], readFully(clients.get(i), sent[i].length),
            "client " + i + ", round " + round);
      }
    }
    assertEquals(count, server.accepted());
  }

  @Test
  void aSlowClientIsServedThroughEvfiltWrite() throws Exception {
    SocketChannel client = connect();
    byte[] payload = new byte[8 << 20];
    new Random(7).nextBytes(payload);
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      try {
        writeFully(client, payload);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    // Not reading: the server's send buffer fills and it must wait for EVFILT_WRITE.
    await().atMost(20, SECONDS).until(() -> server.writeWaits() > 0);
    assertArrayEquals(payload, readFully(client, payload.length));
    writer.get(20, SECONDS);
  }

  @Test
  void clientCloseIsNoticedAndTheConnectionDropped() throws Exception {
    SocketChannel client = connect();
    SocketChannel other = connect();
    writeFully(client, new byte[] {1, 2, 3});
    assertArrayEquals(new byte[] {1, 2, 3}, readFully(client, 3));
    writeFully(other, new byte[] {4});
    assertArrayEquals(new byte[] {4}, readFully(other, 1));
    assertEquals(2, server.openConnections(), "both echoed, so both accepted");
    client.close();
    await().atMost(10, SECONDS).until(() -> server.openConnections() == 1);
    writeFully(other, new byte[] {5});
    assertArrayEquals(new byte[] {5}, readFully(other, 1), "the other connection is still served");
    assertEquals(2, server.accepted());
  }

  @Test
  void closeStopsTheServer() throws Exception {
    SocketChannel client = connect();
    writeFully(client, new byte[] {9});
    readFully(client, 1);
    server.close();
    await().atMost(10, SECONDS).until(server::isStopped);
    assertEquals(0, server.openConnections());
    assertEquals(-1, client.read(ByteBuffer.allocate(1)), "the server closed the connection");
    assertTrue(server.echoed() >= 1);
  }
}
