package io.kqueue4j.linux.descriptor;

import static io.kqueue4j.KEvent.EVFILT_READ;
import static io.kqueue4j.KEvent.EV_ADD;

import io.kqueue4j.Errno;
import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.descriptor.ReadinessSources;
import io.kqueue4j.filters.vnode.VnodeSources;
import io.kqueue4j.linux.vnode.Seccomp;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * Run by {@link DescriptorsWithoutEpollTest}: makes {@code epoll_create} and {@code epoll_create1}
 * fail with {@code EPERM} for this JVM ({@link Seccomp}), as a sandbox that forbids epoll does,
 * then uses {@code EVFILT_READ} on a connected socket without choosing a source, and prints, one
 * per line, why the Linux support is unavailable, which support and sources were chosen instead,
 * and what the socket reported. Prints one line starting {@code seccomp:} and nothing else when the
 * filter cannot be installed.
 */
public final class DescriptorsWithoutEpollMain {
  private DescriptorsWithoutEpollMain() {}

  public static void main(String[] args) throws Exception {
    int[] calls = Seccomp.epollCreateCalls();
    try {
      if (calls == null) {
        throw new IllegalStateException(
            "no system call numbers for " + System.getProperty("os.arch"));
      }
      Seccomp.deny(Seccomp.EPERM, calls);
    } catch (IllegalStateException | LinkageError e) {
      System.out.println("seccomp: " + e);
      return;
    }
    System.out.println("linux " + new LinuxDescriptorSupport().unavailabilityCause());
    System.out.println("support " + FileDescriptors.support());
    System.out.println(
        "source " + ReadinessSources.activeName() + " fallback " + ReadinessSources.isFallback());
    System.out.println("vnode source " + VnodeSources.activeName());
    try (KQueue kq = KQueue.emulated();
        ServerSocketChannel listener = ServerSocketChannel.open()) {
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      try (SocketChannel client = SocketChannel.open(listener.getLocalAddress());
          SocketChannel server = listener.accept()) {
        int fd = FileDescriptors.of(server);
        kq.kevent(new KEvent[] {KEvent.of(fd, EVFILT_READ, EV_ADD, 0, 0, null)}, null,
            Duration.ZERO);
        client.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}));
        KEvent[] out = new KEvent[1];
        int n = kq.kevent(null, out, Duration.ofSeconds(10));
        System.out.println(n == 1 && out[0].ident() == fd && out[0].filter() == EVFILT_READ
            ? "socket readable, data " + out[0].data() : "no event: " + n);
      } catch (KQueueException e) {
        System.out.println("EVFILT_READ: " + Errno.name(e.errno()) + ", " + e.getMessage());
      }
    }
  }
}
