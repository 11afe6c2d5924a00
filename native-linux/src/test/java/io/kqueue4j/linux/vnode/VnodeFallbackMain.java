package io.kqueue4j.linux.vnode;

import static io.kqueue4j.KEvent.EVFILT_VNODE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.NOTE_ATTRIB;
import static io.kqueue4j.KEvent.NOTE_DELETE;
import static io.kqueue4j.KEvent.NOTE_EXTEND;
import static io.kqueue4j.KEvent.NOTE_LINK;
import static io.kqueue4j.KEvent.NOTE_OPEN;
import static io.kqueue4j.KEvent.NOTE_RENAME;
import static io.kqueue4j.KEvent.NOTE_WRITE;
import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.WRITE;

import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.vnode.PollingVnodeSource;
import io.kqueue4j.filters.vnode.VnodeNotes;
import io.kqueue4j.filters.vnode.VnodeSources;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

/**
 * Run by {@link VnodeFallbackTest} in a JVM where system property {@code io.kqueue4j.vnode.source}
 * selects the portable stat-polling fallback: performs each operation, polls at once ({@link
 * PollingVnodeSource#pollNow()}), and prints {@code operation=bits} lines for the test to check.
 */
public final class VnodeFallbackMain {
  /**
   * The kernel's file time stamps advance with its coarse clock, a few milliseconds per tick; an
   * operation detected only by a new time stamp must come at least one tick after the previous
   * change, or polling cannot see it. This is the one place where the tests wait for time.
   */
  private static final long TIMESTAMP_TICK_MILLIS = 20;

  static KQueue kq;

  private VnodeFallbackMain() {}

  public static void main(String[] args) throws Exception {
    Path root = Files.createTempDirectory("vnode-fallback");
    kq = KQueue.emulated();
    Path file = Files.writeString(root.resolve("f"), "hello");
    Path d = Files.createDirectory(root.resolve("d"));
    Path other = Files.createDirectory(root.resolve("other"));
    int fd = FileDescriptors.open(file);
    add(fd, NOTE_DELETE | NOTE_WRITE | NOTE_EXTEND | NOTE_ATTRIB | NOTE_LINK | NOTE_RENAME);
    int dirFd = FileDescriptors.open(d);
    add(dirFd, NOTE_DELETE | NOTE_WRITE | NOTE_EXTEND | NOTE_ATTRIB | NOTE_LINK | NOTE_RENAME);
    System.out.println("source=" + VnodeSources.activeName() + " fallback="
        + VnodeSources.isFallback() + " interval="
        + PollingVnodeSource.instance().interval().toMillis());

    Thread.sleep(TIMESTAMP_TICK_MILLIS);
    try (FileChannel ch = FileChannel.open(file, WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {'J'}), 0);
    }
    report("write in place", fd);
    Files.writeString(file, " world", APPEND);
    report("append", fd);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(3);
    }
    report("truncate down", fd);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    report("chmod", fd);
    Files.createLink(root.resolve("g"), file);
    report("link", fd);
    Files.delete(root.resolve("g"));
    report("unlink of another name", fd);
    Path moved = Files.move(file, root.resolve("h"), ATOMIC_MOVE);
    report("rename in the directory", fd);
    moved = Files.move(moved, other.resolve("h"), ATOMIC_MOVE);
    report("rename to another directory", fd);

    Thread.sleep(TIMESTAMP_TICK_MILLIS);
    Files.writeString(d.resolve("x"), "x");
    report("create a file in the directory", dirFd);
    Files.createDirectory(d.resolve("sub"));
    report("mkdir", dirFd);
    Files.delete(d.resolve("sub"));
    report("rmdir", dirFd);

    Files.delete(moved);
    report("unlink of the last name", fd);

    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
    KEvent[] out = new KEvent[4];
    int n = kq.kevent(null, out, Duration.ofSeconds(10)); // the polling thread, not pollNow
    System.out.println("by the polling thread=" + (n == 1 ? VnodeNotes.toString(out[0].fflags())
        : n + " events"));

    int openFd = FileDescriptors.open(d);
    try {
      add(openFd, NOTE_OPEN);
      System.out.println("NOTE_OPEN=accepted");
    } catch (KQueueException e) {
      System.out.println("NOTE_OPEN=" + io.kqueue4j.Errno.name(e.errno()));
    }

    FileDescriptors.close(dirFd);
    Files.writeString(d.resolve("y"), "y");
    report("after close of the descriptor", dirFd);
    kq.close();
  }

  private static void add(int fd, int fflags) throws KQueueException {
    kq.kevent(new KEvent[] {KEvent.of(fd, EVFILT_VNODE, EV_ADD | EV_CLEAR, fflags, 0, null)},
        null, Duration.ZERO);
  }

  private static void report(String operation, int fd) throws KQueueException {
    PollingVnodeSource.instance().pollNow();
    KEvent[] out = new KEvent[8];
    int n = kq.kevent(null, out, Duration.ZERO);
    int fflags = 0;
    for (int i = 0; i < n; i++) {
      if (out[i].ident() == fd) {
        fflags |= out[i].fflags();
      }
    }
    System.out.println(operation + "=" + VnodeNotes.toString(fflags));
  }
}
