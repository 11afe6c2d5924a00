package io.kqueue4j.linux.vnode;

import static io.kqueue4j.KEvent.EVFILT_VNODE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.NOTE_DELETE;
import static io.kqueue4j.KEvent.NOTE_WRITE;
import static java.nio.file.StandardOpenOption.APPEND;

import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Run by {@link VnodeWatchLimitTest} in a user namespace whose inotify watch limit is 3: two files
 * take two watches, so a directory watched for {@code NOTE_DELETE} gets its own watch, the third,
 * and fails on the watch of its parent. Prints the error, then what the kqueue still does: the
 * earlier knotes report, the directory's own watch was given back, and once knotes are deleted the
 * directory can be registered, parent and all, and its removal is reported.
 */
public final class VnodeParentWatchLimitMain {
  private VnodeParentWatchLimitMain() {}

  public static void main(String[] args) throws Exception {
    Path root = Files.createTempDirectory("vnode-parent-limit");
    Path directory = Files.createDirectory(root.resolve("d"));
    try (KQueue kq = KQueue.emulated()) {
      int first = add(kq, Files.writeString(root.resolve("f0"), "x"), NOTE_WRITE);
      int second = add(kq, Files.writeString(root.resolve("f1"), "x"), NOTE_WRITE);
      int directoryFd = FileDescriptors.open(directory);
      try {
        register(kq, directoryFd, EV_ADD, NOTE_DELETE);
        System.out.println("no limit reached");
        return;
      } catch (KQueueException e) {
        System.out.println("errno " + e.errno());
        System.out.println(e.getMessage().replace(root.toString(), "ROOT"));
      }
      Files.writeString(root.resolve("f0"), "more", APPEND);
      System.out.println("earlier knote: " + reports(kq, first, NOTE_WRITE));
      int third = add(kq, Files.writeString(root.resolve("f2"), "x"), NOTE_WRITE);
      System.out.println("a file in the directory's watch: registered");
      register(kq, second, EV_DELETE, 0);
      register(kq, third, EV_DELETE, 0);
      register(kq, directoryFd, EV_ADD, NOTE_DELETE);
      System.out.println("the directory once two watches are freed: registered");
      Files.delete(directory);
      System.out.println("rmdir: " + reports(kq, directoryFd, NOTE_DELETE));
    }
  }

  /** Opens {@code path} and registers a knote for {@code fflags}; returns the descriptor. */
  private static int add(KQueue kq, Path path, int fflags) throws KQueueException {
    int fd = FileDescriptors.open(path);
    register(kq, fd, EV_ADD, fflags);
    return fd;
  }

  private static void register(KQueue kq, int fd, int flags, int fflags) throws KQueueException {
    kq.kevent(new KEvent[] {KEvent.of(fd, EVFILT_VNODE, flags | EV_CLEAR, fflags, 0, null)}, null,
        Duration.ZERO);
  }

  /** Whether the next event is exactly {@code fflags} on {@code fd}'s knote. */
  private static boolean reports(KQueue kq, int fd, int fflags) throws KQueueException {
    KEvent[] out = new KEvent[4];
    int n = kq.kevent(null, out, Duration.ofSeconds(10));
    return n == 1 && out[0].ident() == fd && out[0].fflags() == fflags;
  }
}
