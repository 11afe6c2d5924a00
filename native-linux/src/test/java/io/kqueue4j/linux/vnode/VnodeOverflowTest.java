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
    long queued = sysctl("/proc/sys/fs/inotify/max_queued_events");
    assumeTrue(queued <= 1 << 20, "fs.inotify.max_queued_events is " + queued
        + ": too many events to overflow the queue in a unit test");
    long overflowsBefore = InotifyVnodeSource.overflows();
    Set<PosixFilePermission> a = PosixFilePermissions.fromString("rw-r--r--");
    Set<PosixFilePermission> b = PosixFilePermissions.fromString("rw-------");
    loop.gate.lock();
    try {
      // IN_MODIFY and IN_ATTRIB alternate, so the kernel cannot merge them: a few thousand events
      // more than the queue holds
      try (FileChannel ch = FileChannel.open(file, WRITE)) {
        ByteBuffer one = ByteBuffer.allocate(1);
        for (long i = 0; i < queued / 2 + 2000; i++) {
          ch.write(one.clear(), 0);
          Files.setPosixFilePermissions(file, (i & 1) == 0 ? b : a);
        }
      }
      assertTrue(LibC.availableBytes(fileVnode.instance.inotify.fd()) >= queued * 16,
          "the kernel's queue is full");
      // the changes whose events are lost in the overflow
      Files.createLink(dir.resolve("second-name"), file);
      Files.writeString(file, "grown", APPEND);
      Files.createDirectory(sameDir.resolve("sub"));
      Files.move(quiet, sameDir.resolve("renamed"), ATOMIC_MOVE);
    } finally {
      loop.gate.unlock();
    }
    settle();
    assertTrue(InotifyVnodeSource.overflows() > overflowsBefore, "IN_Q_OVERFLOW was seen");
    // what the events before the overflow said, plus what the states say: nothing is missed;
    // NOTE_OPEN cannot be recovered from a state and is reported as possibly lost
    expect("after the overflow",
        fd, NOTE_WRITE | NOTE_EXTEND | NOTE_ATTRIB | NOTE_LINK | NOTE_OPEN,
        dirFd, NOTE_WRITE | NOTE_LINK,
        quietFd, NOTE_RENAME);
    // and events are reported one by one again
    Files.setPosixFilePermissions(file, a);
    expect(fd, NOTE_ATTRIB, "chmod after the overflow");
    Files.delete(sameDir.resolve("sub"));
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
    // a noisy file in the same instance, watched for a bit that its noise does not produce
    Path noisy = null;
    for (int i = 0; noisy == null; i++) {
      Path candidate = Files.writeString(dir.resolve("noisy" + i), "n");
      watch(candidate, EV_CLEAR, NOTE_RENAME);
      if (loop.vnodeOf(candidate).instance == vnode.instance) {
        noisy = candidate;
      }
    }
    long queued = sysctl("/proc/sys/fs/inotify/max_queued_events");
    assumeTrue(queued <= 1 << 20, "fs.inotify.max_queued_events is " + queued
        + ": too many events to overflow the queue in a unit test");
    long overflowsBefore = InotifyVnodeSource.overflows();
    loop.gate.lock();
    try {
      Set<PosixFilePermission> a = PosixFilePermissions.fromString("rw-r--r--");
      Set<PosixFilePermission> b = PosixFilePermissions.fromString("rw-------");
      try (FileChannel ch = FileChannel.open(noisy, WRITE)) {
        ByteBuffer one = ByteBuffer.allocate(1);
        for (long i = 0; i < queued / 2 + 2000; i++) {
          ch.write(one.clear(), 0);
          Files.setPosixFilePermissions(noisy, (i & 1) == 0 ? b : a);
        }
      }
      Files.writeString(file, "lost", APPEND);
    } finally {
      loop.gate.unlock();
    }
    settle();
    assertTrue(InotifyVnodeSource.overflows() > overflowsBefore, "IN_Q_OVERFLOW was seen");
    expect("after the overflow", fd, NOTE_WRITE);
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
