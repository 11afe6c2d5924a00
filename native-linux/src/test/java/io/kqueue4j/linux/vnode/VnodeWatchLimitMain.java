package io.kqueue4j.linux.vnode;

import static io.kqueue4j.KEvent.EVFILT_VNODE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.NOTE_WRITE;

import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Run by {@link VnodeWatchLimitTest} in a user namespace whose inotify watch limit is 3: registers
 * {@code EVFILT_VNODE} knotes on new files until one fails, prints how many succeeded and the
 * error, then checks that the earlier knotes still work.
 */
public final class VnodeWatchLimitMain {
  private VnodeWatchLimitMain() {}

  public static void main(String[] args) throws Exception {
    Path root = Files.createTempDirectory("vnode-limit");
    try (KQueue kq = KQueue.emulated()) {
      int first = -1;
      for (int i = 0; i < 10; i++) {
        Path file = Files.writeString(root.resolve("f" + i), "x");
        int fd = FileDescriptors.open(file);
        try {
          kq.kevent(new KEvent[] {KEvent.of(fd, EVFILT_VNODE, EV_ADD | EV_CLEAR, NOTE_WRITE, 0,
              null)}, null, Duration.ZERO);
          if (first < 0) {
            first = fd;
          }
        } catch (KQueueException e) {
          System.out.println("registered " + i);
          System.out.println("errno " + e.errno());
          System.out.println(e.getMessage().replace(root.toString(), "ROOT"));
          Files.writeString(root.resolve("f0"), "more", java.nio.file.StandardOpenOption.APPEND);
          KEvent[] out = new KEvent[4];
          int n = kq.kevent(null, out, Duration.ofSeconds(10));
          System.out.println("earlier knote: " + (n == 1 && out[0].ident() == first
              && out[0].fflags() == NOTE_WRITE));
          return;
        }
      }
      System.out.println("no limit reached");
    }
  }
}
