package io.kqueue4j.linux.vnode;

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
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.linux.LibC;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * A real {@code IN_Q_OVERFLOW}: the source's thread is held while more events than the kernel
 * queues ({@code fs.inotify.max_queued_events}, 16384 by default) pile up, and every knote of the
 * overflowed instance must still report its changes.
 */
@EnabledOnOs(OS.LINUX)
class VnodeOverflowTest extends VnodeTestSupport {
  static final int CHANGES =
      NOTE_DELETE | NOTE_WRITE | NOTE_EXTEND | NOTE_ATTRIB | NOTE_LINK | NOTE_RENAME;

  @Test
  void aQueueOverflowIsRecoveredByRecheckingEveryObject() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "0123456789");
    int fd = watch(file, EV_CLEAR, CHANGES | NOTE_OPEN);
    InotifyVnodeLoop loop = InotifyVnodeLoop.peek();
    InotifyVnode fileVnode = loop.vnodeOf(file);
    // a directory and a second file watched in the same instance as the file
    Path sameDir = null;
    int dirFd = -1;
    for (int i = 0; sameDir == null; i++) {
      Path d = Files.createDirectory(dir.resolve("d" + i));
      int candidate = watch(d, EV_CLEAR, CHANGES);
      if (loop.vnodeOf(d).instance == fileVnode.instance) {
        sameDir = d;
        dirFd = candidate;
      }
    }
    Path quiet = Files.writeString(sameDir.resolve("quiet"), "q");
    int quietFd = -1;
    for (int i = 0; quietFd < 0; i++) {
      Path q = Files.writeString(sameDir.resolve("quiet" + i), "q");
      int candidate = watch(q, EV_CLEAR, CHANGES);
      if (loop.vnodeOf(q).instance == fileVnode.instance) {
        quiet = q;
        quietFd = candidate;
      }
    }
    events(); // the directory's own creation noise
    Path renamed = sameDir.resolve("renamed");
    Path moved = quiet;
    Path sub = sameDir.resolve("sub");
    // the file floods its own instance; the changes after it are lost in the overflow
    overflow(fileVnode.instance, file, () -> {
      Files.createLink(dir.resolve("second-name"), file);
      Files.writeString(file, "grown", APPEND);
      Files.createDirectory(sub);
      Files.move(moved, renamed, ATOMIC_MOVE);
    });
    // what the events before the overflow said, plus what the states say: nothing is missed;
    // NOTE_OPEN cannot be recovered from a state and is reported as possibly lost
    expect("after the overflow",
        fd, NOTE_WRITE | NOTE_EXTEND | NOTE_ATTRIB | NOTE_LINK | NOTE_OPEN,
        dirFd, NOTE_WRITE | NOTE_LINK,
        quietFd, NOTE_RENAME);
    // and events are reported one by one again
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    expect(fd, NOTE_ATTRIB, "chmod after the overflow");
    Files.delete(sub);
    expect(dirFd, NOTE_WRITE | NOTE_LINK, "rmdir after the overflow");
  }

  @Test
  void aChangeLostInAnOverflowIsReportedForAnObjectWhoseStateWasNotKept() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "0123456789");
    int fd = watch(file, EV_CLEAR, NOTE_WRITE);
    InotifyVnodeLoop loop = InotifyVnodeLoop.peek();
    InotifyVnode vnode = loop.vnodeOf(file);
    Files.writeString(file, "!", APPEND);
    expect(fd, NOTE_WRITE, "append before the overflow");
    assertTrue(vnode.stale, "a NOTE_WRITE knote needs no state: it was not taken");
    overflow(vnode.instance, noisyFileIn(vnode.instance),
        () -> Files.writeString(file, "lost", APPEND));
    expect("after the overflow", fd, NOTE_WRITE);
  }

  @Test
  void theLastNameOfAFileRemovedInAnOverflowIsNoteDelete() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "0123456789");
    int fd = watch(file, EV_CLEAR, CHANGES);
    InotifyVnodeLoop.Instance instance = InotifyVnodeLoop.peek().vnodeOf(file).instance;
    Path noisy = noisyFileIn(instance);
    try (FileChannel writer = FileChannel.open(file, WRITE, APPEND)) {
      // the unlink's IN_ATTRIB (link count 0) is dropped with the overflow
      overflow(instance, noisy, () -> Files.delete(file));
      expect("unlink of the last name lost in the overflow", fd, NOTE_DELETE);
      // the object stays watched, as on FreeBSD, and events are reported one by one again
      writer.write(ByteBuffer.wrap(new byte[] {'!'}));
      expect(fd, NOTE_WRITE | NOTE_EXTEND, "a write through an open descriptor after the overflow");
    }
  }

  @Test
  void aSubdirectoryRemovedInAnOverflowIsNoteDeleteAndItsParentNoteWriteAndLink()
      throws Exception {
    Path parent = Files.createDirectory(dir.resolve("parent"));
    int parentFd = watch(parent, EV_CLEAR, CHANGES);
    InotifyVnodeLoop loop = InotifyVnodeLoop.peek();
    InotifyVnodeLoop.Instance instance = loop.vnodeOf(parent).instance;
    // a subdirectory watched in the same instance: its rmdir is seen only as the parent's
    // IN_DELETE|IN_ISDIR, and both are dropped with the overflow
    Path sub = null;
    int subFd = -1;
    for (int i = 0; sub == null; i++) {
      Path candidate = Files.createDirectory(parent.resolve("sub" + i));
      int candidateFd = watch(candidate, EV_CLEAR, CHANGES);
      if (loop.vnodeOf(candidate).instance == instance) {
        sub = candidate;
        subFd = candidateFd;
      }
    }
    assertTrue(loop.vnodeOf(sub).parent == loop.vnodeOf(parent),
        "the subdirectory's removal is watched through its watched parent");
    Path noisy = noisyFileIn(instance);
    events(); // the subdirectories' creation
    Path removed = sub;
    overflow(instance, noisy, () -> Files.delete(removed));
    expect("rmdir lost in the overflow", subFd, NOTE_DELETE, parentFd, NOTE_WRITE | NOTE_LINK);
    Files.createFile(parent.resolve("after"));
    expect(parentFd, NOTE_WRITE, "a file created after the overflow");
  }

  interface Change {
    void run() throws Exception;
  }

  /**
   * A file in the same instance, watched only for {@code NOTE_RENAME}, which its noise (writes and
   * mode changes) does not produce.
   */
  private Path noisyFileIn(InotifyVnodeLoop.Instance instance) throws Exception {
    InotifyVnodeLoop loop = InotifyVnodeLoop.peek();
    for (int i = 0; ; i++) {
      Path candidate = Files.writeString(dir.resolve("noisy" + i), "n");
      watch(candidate, EV_CLEAR, NOTE_RENAME);
      if (loop.vnodeOf(candidate).instance == instance) {
        return candidate;
      }
    }
  }

  /**
   * Holds the source's thread while more events than the kernel queues pile up on {@code noisy}
   * in {@code instance}, then makes the {@code lost} changes, whose events the kernel drops; returns
   * once the source has read the {@code IN_Q_OVERFLOW} and re-checked every object.
   */
  private static void overflow(InotifyVnodeLoop.Instance instance, Path noisy, Change lost)
      throws Exception {
    long queued = sysctl("/proc/sys/fs/inotify/max_queued_events");
    assumeTrue(queued <= 1 << 20, "fs.inotify.max_queued_events is " + queued
        + ": too many events to overflow the queue in a unit test");
    long overflowsBefore = InotifyVnodeSource.overflows();
    InotifyVnodeLoop loop = InotifyVnodeLoop.peek();
    loop.gate.lock();
    try {
      flood(noisy, queued);
      assertTrue(LibC.availableBytes(instance.inotify.fd()) >= queued * 16,
          "the kernel's queue is full");
      lost.run();
    } finally {
      loop.gate.unlock();
    }
    settle();
    assertTrue(InotifyVnodeSource.overflows() > overflowsBefore, "IN_Q_OVERFLOW was seen");
  }

  /**
   * A few thousand events more than the queue holds on {@code file}: {@code IN_MODIFY} and {@code
   * IN_ATTRIB} alternate, so the kernel cannot merge them.
   */
  private static void flood(Path file, long queued) throws Exception {
    Set<PosixFilePermission> a = PosixFilePermissions.fromString("rw-r--r--");
    Set<PosixFilePermission> b = PosixFilePermissions.fromString("rw-------");
    try (FileChannel ch = FileChannel.open(file, WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      for (long i = 0; i < queued / 2 + 2000; i++) {
        ch.write(one.clear(), 0);
        Files.setPosixFilePermissions(file, (i & 1) == 0 ? b : a);
      }
    }
  }

  /**
   * A sysctl's value, read in one {@code read}: a {@code /proc/sys} integer file answers a read at
   * a non-zero offset with end of file, so {@link Files#readString} would see only its first byte.
   */
  static long sysctl(String file) throws Exception {
    try (InputStream in = Files.newInputStream(Path.of(file))) {
      byte[] value = new byte[64];
      int n = in.read(value);
      return Long.parseLong(new String(value, 0, n, StandardCharsets.US_ASCII).trim());
    }
  }
}
