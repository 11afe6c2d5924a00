package io.kqueue4j.kernel;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.spi.DescriptorSupport;
import java.io.FileDescriptor;
import java.nio.channels.Channel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The descriptor support used when no platform provider is on the class path: kqueues get
 * descriptor numbers of their own, far above the OS's, that stand for them in {@code EVFILT_READ};
 * no OS descriptor operation is available.
 */
final class PortableDescriptors implements DescriptorSupport {
  /** First number handed out; above any OS's default descriptor limit. */
  static final int FIRST = 1 << 24;
  private static final String WHY =
      "no descriptor support on this platform (add io.kqueue4j:native-linux on Linux)";

  private final AtomicInteger next = new AtomicInteger(FIRST);

  @Override
  public String name() {
    return "portable";
  }

  @Override
  public int priority() {
    return Integer.MIN_VALUE;
  }

  @Override
  public Throwable unavailabilityCause() {
    return null;
  }

  @Override
  public boolean isOpen(int fd) {
    return false;
  }

  @Override
  public int open(Path path) throws KQueueException {
    throw new KQueueException("open", Errno.EOPNOTSUPP, WHY);
  }

  @Override
  public int[] pipe() throws KQueueException {
    throw new KQueueException("pipe", Errno.EOPNOTSUPP, WHY);
  }

  @Override
  public int of(Channel channel) throws KQueueException {
    throw new KQueueException("fileno", Errno.EOPNOTSUPP, WHY);
  }

  @Override
  public int of(FileDescriptor fd) throws KQueueException {
    throw new KQueueException("fileno", Errno.EOPNOTSUPP, WHY);
  }

  @Override
  public void close(int fd) throws KQueueException {
    throw new KQueueException("close", Errno.EBADF, "descriptor " + fd + " is not open");
  }

  @Override
  public ReadinessSignal newReadinessSignal() {
    int fd = next.getAndIncrement();
    return new ReadinessSignal() {
      @Override
      public int fd() {
        return fd;
      }

      @Override
      public void set(boolean readable) {}

      @Override
      public void close() {}
    };
  }
}
