package io.kqueue4j.linux.vnode;

import static io.kqueue4j.KEvent.EVFILT_VNODE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.NOTE_EXTEND;
import static io.kqueue4j.KEvent.NOTE_WRITE;

import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.filters.vnode.VnodeNotes;
import io.kqueue4j.filters.vnode.VnodeSources;
import io.kqueue4j.linux.Inotify;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * Run by {@link VnodeWithoutInotifyTest}: makes {@code inotify_init1} fail with {@code ENOSYS} for
 * this JVM ({@link Seccomp}), as on a kernel without inotify, then uses {@code EVFILT_VNODE}
 * without choosing a source, and prints what it got. Exit code 3 when the filter cannot be
 * installed.
 */
public final class VnodeWithoutInotifyMain {
  private VnodeWithoutInotifyMain() {}

  public static void main(String[] args) throws Exception {
    int[] calls = Seccomp.inotifyInitCalls();
    try {
      if (calls == null) {
        throw new IllegalStateException(
            "no system call numbers for " + System.getProperty("os.arch"));
      }
      Seccomp.deny(Seccomp.ENOSYS, calls);
    } catch (IllegalStateException | LinkageError e) {
      System.out.println("seccomp: " + e);
      System.exit(3);
    }
    System.out.println("inotify available: " + Inotify.isAvailable());
    Path file = Files.writeString(Files.createTempDirectory("vnode-no-inotify").resolve("f"), "x");
    int fd = FileDescriptors.open(file);
    try (KQueue kq = KQueue.emulated()) {
      kq.kevent(new KEvent[] {KEvent.of(fd, EVFILT_VNODE, EV_ADD | EV_CLEAR,
          NOTE_WRITE | NOTE_EXTEND, 0, null)}, null, Duration.ZERO);
      System.out.println("source " + VnodeSources.activeName() + ", fallback "
          + VnodeSources.isFallback());
      Files.writeString(file, "more", StandardOpenOption.APPEND);
      KEvent[] out = new KEvent[4];
      int n = kq.kevent(null, out, Duration.ofSeconds(10)); // the polling thread's next round
      System.out.println("append: " + (n == 1 ? VnodeNotes.toString(out[0].fflags()) : n));
    } finally {
      FileDescriptors.close(fd);
    }
  }
}
