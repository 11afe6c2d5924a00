package io.kqueue4j.bsd.reliability;

import io.kqueue4j.bsd.internal.KernelCalls;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Passes every call to another {@link KernelCalls} and records misuse of the descriptors: a
 * {@code kevent} on a descriptor after its {@code close}, where a real kernel might reach another
 * file that reused the number, and a second {@code close}, which might close another's.
 */
final class WatchedKernel implements KernelCalls {
  private final KernelCalls kernel;
  private final Set<Integer> closed = ConcurrentHashMap.newKeySet();
  private final List<String> misuse = new CopyOnWriteArrayList<>();

  WatchedKernel(KernelCalls kernel) {
    this.kernel = kernel;
  }

  /** What was done to a closed descriptor, in order. */
  List<String> misuse() {
    return misuse;
  }

  /** Whether {@code fd} was closed (and not returned by {@code kqueue} since). */
  boolean isClosed(int fd) {
    return closed.contains(fd);
  }

  @Override
  public int kqueue() {
    int fd = kernel.kqueue();
    if (fd >= 0) {
      closed.remove(fd);
    }
    return fd;
  }

  @Override
  public int kevent(int kq, long changes, int nchanges, long events, int nevents, long timeout) {
    if (closed.contains(kq)) {
      misuse.add("kevent on " + kq + " after its close, on " + Thread.currentThread().getName());
    }
    return kernel.kevent(kq, changes, nchanges, events, nevents, timeout);
  }

  @Override
  public int close(int fd) {
    if (!closed.add(fd)) {
      misuse.add("second close of " + fd + ", on " + Thread.currentThread().getName());
    }
    return kernel.close(fd);
  }

  @Override
  public int errno() {
    return kernel.errno();
  }

  @Override
  public String name() {
    return "watched " + kernel.name();
  }
}
