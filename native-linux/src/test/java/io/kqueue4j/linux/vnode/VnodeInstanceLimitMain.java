package io.kqueue4j.linux.vnode;

import static io.kqueue4j.KEvent.EVFILT_VNODE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.NOTE_WRITE;

import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.vnode.VnodeSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * Run by {@link VnodeWatchLimitTest} in a user namespace with a small inotify instance limit:
 * registers one {@code EVFILT_VNODE} knote and prints the outcome: the error, or how many
 * instances the source got and whether the knote reports a write.
 */
public final class VnodeInstanceLimitMain {
  private VnodeInstanceLimitMain() {}

  public static void main(String[] args) throws Exception {
    Path root = Files.createTempDirectory("vnode-instances");
    Path file = Files.writeString(root.resolve("f"), "x");
    int fd = FileDescriptors.open(file);
    try (KQueue kq = KQueue.emulated()) {
      try {
        kq.kevent(new KEvent[] {KEvent.of(fd, EVFILT_VNODE, EV_ADD | EV_CLEAR, NOTE_WRITE, 0,
            null)}, null, Duration.ZERO);
      } catch (KQueueException e) {
        System.out.println("errno " + e.errno());
        System.out.println(e.getMessage());
        return;
      }
      System.out.println("source " + VnodeSources.activeName() + ", instances "
          + InotifyVnodeLoop.peek().instances.length);
      Files.writeString(file, "more", StandardOpenOption.APPEND);
      KEvent[] out = new KEvent[4];
      int n = kq.kevent(null, out, Duration.ofSeconds(10));
      System.out.println("event: " + (n == 1 && out[0].fflags() == NOTE_WRITE));
    } finally {
      FileDescriptors.close(fd);
    }
  }
}
