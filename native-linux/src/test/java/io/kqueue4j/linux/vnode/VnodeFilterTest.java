package io.kqueue4j.linux.vnode;

import static io.kqueue4j.KEvent.EVFILT_VNODE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.EV_EOF;
import static io.kqueue4j.KEvent.EV_ERROR;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static io.kqueue4j.KEvent.EV_RECEIPT;
import static io.kqueue4j.KEvent.NOTE_ATTRIB;
import static io.kqueue4j.KEvent.NOTE_CLOSE;
import static io.kqueue4j.KEvent.NOTE_CLOSE_WRITE;
import static io.kqueue4j.KEvent.NOTE_DELETE;
import static io.kqueue4j.KEvent.NOTE_EXTEND;
import static io.kqueue4j.KEvent.NOTE_LINK;
import static io.kqueue4j.KEvent.NOTE_OPEN;
import static io.kqueue4j.KEvent.NOTE_READ;
import static io.kqueue4j.KEvent.NOTE_RENAME;
import static io.kqueue4j.KEvent.NOTE_REVOKE;
import static io.kqueue4j.KEvent.NOTE_WRITE;
import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.vnode.VnodeSources;
import io.kqueue4j.kernel.EmulatedKQueue;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Every {@code NOTE_*} bit and file operation of FreeBSD's {@code EVFILT_VNODE}, on inotify. */
@EnabledOnOs(OS.LINUX)
class VnodeFilterTest extends VnodeTestSupport {
  static final int CHANGES =
      NOTE_DELETE | NOTE_WRITE | NOTE_EXTEND | NOTE_ATTRIB | NOTE_LINK | NOTE_RENAME | NOTE_REVOKE;
  static final int ACCESS = NOTE_OPEN | NOTE_CLOSE | NOTE_CLOSE_WRITE | NOTE_READ;

  Path file;

  @BeforeEach
  void createFile() throws Exception {
    file = Files.writeString(dir.resolve("f"), "hello");
  }

  private static void writeAt(Path path, long position, String text) throws Exception {
    try (FileChannel ch = FileChannel.open(path, WRITE)) {
      ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)), position);
    }
  }

  private static void truncate(Path path, long size) throws Exception {
    try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
      raf.setLength(size);
    }
  }

  // ---------------------------------------------------------------- files

  @Test
  void theInotifySourceIsInUse() throws Exception {
    watch(file, EV_CLEAR, CHANGES);
    assertEquals(InotifyVnodeSource.NAME, VnodeSources.activeName());
    assertEquals(false, VnodeSources.isFallback());
  }

  @Test
  void writeInPlaceIsNoteWrite() throws Exception {
    int fd = watch(file, EV_CLEAR, CHANGES);
    writeAt(file, 0, "J");
    expect(fd, NOTE_WRITE, "write inside the file");
  }

  @Test
  void appendIsNoteWriteAndExtend() throws Exception {
    int fd = watch(file, EV_CLEAR, CHANGES);
    Files.writeString(file, " world", APPEND);
    expect(fd, NOTE_WRITE | NOTE_EXTEND, "append");
    writeAt(file, 100, "x");
    expect(fd, NOTE_WRITE | NOTE_EXTEND, "write past the end");
  }

  @Test
  void truncateDownIsWriteAndAttrib() throws Exception {
    int fd = watch(file, EV_CLEAR, CHANGES);
    truncate(file, 2);
    expect(fd, NOTE_WRITE | NOTE_ATTRIB, "truncate to a smaller size");
  }

  @Test
  void truncateUpIsWriteAndExtend() throws Exception {
    int fd = watch(file, EV_CLEAR, CHANGES);
    truncate(file, 4096);
    expect(fd, NOTE_WRITE | NOTE_EXTEND, "truncate to a larger size");
  }

  @Test
  void chmodIsNoteAttrib() throws Exception {
    int fd = watch(file, EV_CLEAR, CHANGES);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    expect(fd, NOTE_ATTRIB, "chmod");
  }

  @Test
  void chownIsNoteAttrib() throws Exception {
    int fd = watch(file, EV_CLEAR, CHANGES);
    Files.setOwner(file, Files.getOwner(file)); // chown to the same owner: allowed to anyone
    expect(fd, NOTE_ATTRIB, "chown");
  }

  @Test
  void touchIsNoteAttrib() throws Exception {
    int fd = watch(file, EV_CLEAR, CHANGES);
    Files.setLastModifiedTime(file, FileTime.fromMillis(1_000_000_000_000L));
    expect(fd, NOTE_ATTRIB, "utimes");
  }

  @Test
  void linkIsNoteLinkAndUnlinkOfOneNameIsNoteDelete() throws Exception {
    int fd = watch(file, EV_CLEAR, CHANGES);
    Path other = Files.createLink(dir.resolve("g"), file);
    expect(fd, NOTE_LINK, "link");
    Files.delete(other);
    // vop_remove_post posts NOTE_DELETE on every remove, even when other names remain
    expect(fd, NOTE_DELETE, "unlink of one of two names");
    assertTrue(Files.exists(file));
  }

  @Test
  void unlinkOfTheLastLinkIsNoteDeleteAndTheObjectStaysWatched() throws Exception {
    int fd = watch(file, EV_CLEAR, CHANGES);
    try (FileChannel writer = FileChannel.open(file, WRITE, APPEND)) {
      Files.delete(file);
      expect(fd, NOTE_DELETE, "unlink of the last name");
      writer.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
      expect(fd, NOTE_WRITE | NOTE_EXTEND, "write to the unlinked file through an open descriptor");
    }
  }

  @Test
  void renameWithinADirectoryIsNoteRenameAndTheWatchFollows() throws Exception {
    int fd = watch(file, EV_CLEAR, CHANGES);
    Path moved = Files.move(file, dir.resolve("h"), ATOMIC_MOVE);
    expect(fd, NOTE_RENAME, "rename in the same directory");
    Files.writeString(moved, "!", APPEND);
    expect(fd, NOTE_WRITE | NOTE_EXTEND, "append under the new name");
    Files.writeString(Files.createFile(file), "unrelated");
    expect(fd, 0, "a new file under the old name is another object");
  }

  @Test
  void renameAcrossDirectoriesIsNoteRename() throws Exception {
    Path other = Files.createDirectory(dir.resolve("other"));
    int fd = watch(file, EV_CLEAR, CHANGES);
    Path moved = Files.move(file, other.resolve("f"), ATOMIC_MOVE);
    expect(fd, NOTE_RENAME, "rename into another directory");
    Files.setPosixFilePermissions(moved, PosixFilePermissions.fromString("r--------"));
    expect(fd, NOTE_ATTRIB, "chmod under the new name");
  }

  @Test
  void renameOverTheWatchedFileIsNoteDelete() throws Exception {
    Path replacement = Files.writeString(dir.resolve("new"), "replacement");
    int fd = watch(file, EV_CLEAR, CHANGES);
    int replacementFd = watch(replacement, EV_CLEAR, CHANGES);
    Files.move(replacement, file, ATOMIC_MOVE, REPLACE_EXISTING);
    expect("rename over the watched file", fd, NOTE_DELETE, replacementFd, NOTE_RENAME);
  }

  @Test
  void openReadAndCloseAreReportedWhenAskedFor() throws Exception {
    int fd = watch(file, EV_CLEAR, ACCESS);
    assertEquals("hello", Files.readString(file));
    expect(fd, NOTE_OPEN | NOTE_READ | NOTE_CLOSE, "open, read, close");
    FileChannel.open(file, WRITE).close();
    expect(fd, NOTE_OPEN | NOTE_CLOSE_WRITE, "open for writing, close");
    Files.writeString(file, "x", APPEND);
    expect(fd, NOTE_OPEN | NOTE_CLOSE_WRITE, "a write itself is not asked for");
  }

  @Test
  void accessEventsAreNotWatchedUnlessAskedFor() throws Exception {
    int fd = watch(file, EV_CLEAR, CHANGES);
    Files.readString(file);
    expect(fd, 0, "open, read, close with only change bits asked for");
    InotifyVnode vnode = InotifyVnodeLoop.peek().vnodeOf(file);
    assertEquals(InotifyNotes.FILE_EVENTS, vnode.mask, "no IN_OPEN, IN_ACCESS, IN_CLOSE_*");
  }

  // ---------------------------------------------------------------- directories

  @Test
  void directoryEntriesAreNoteWriteAndSubdirectoriesNoteLink() throws Exception {
    Path d = Files.createDirectory(dir.resolve("d"));
    int fd = watch(d, EV_CLEAR, CHANGES);
    Path x = Files.writeString(d.resolve("x"), "data");
    expect(fd, NOTE_WRITE, "create a file");
    Files.move(x, d.resolve("y"), ATOMIC_MOVE);
    expect(fd, NOTE_WRITE, "rename inside the directory");
    Files.setPosixFilePermissions(d.resolve("y"), PosixFilePermissions.fromString("rw-------"));
    Files.writeString(d.resolve("y"), "more", APPEND);
    expect(fd, 0, "changes to an entry are the entry's");
    Files.delete(d.resolve("y"));
    expect(fd, NOTE_WRITE, "remove a file");
    Path sub = Files.createDirectory(d.resolve("sub"));
    expect(fd, NOTE_WRITE | NOTE_LINK, "mkdir");
    Files.delete(sub);
    expect(fd, NOTE_WRITE | NOTE_LINK, "rmdir");
    Files.createSymbolicLink(d.resolve("link"), file);
    expect(fd, NOTE_WRITE, "symlink");
    Files.createLink(d.resolve("hard"), file);
    expect(fd, NOTE_WRITE, "hard link into the directory");
    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
    expect(fd, NOTE_ATTRIB, "chmod of the directory");
  }

  @Test
  void renameAcrossDirectoriesIsWriteAndExtendOnBothPlusLinkForADirectory() throws Exception {
    Path from = Files.createDirectory(dir.resolve("from"));
    Path to = Files.createDirectory(dir.resolve("to"));
    Path x = Files.writeString(from.resolve("x"), "data");
    Path sub = Files.createDirectory(from.resolve("sub"));
    int fromFd = watch(from, EV_CLEAR, CHANGES);
    int toFd = watch(to, EV_CLEAR, CHANGES);
    Files.move(x, to.resolve("x"), ATOMIC_MOVE);
    expect("a file moved across", fromFd, NOTE_WRITE | NOTE_EXTEND, toFd, NOTE_WRITE | NOTE_EXTEND);
    Files.move(to.resolve("x"), Files.createDirectory(dir.resolve("unwatched")).resolve("x"),
        ATOMIC_MOVE);
    expect("a file moved to an unwatched directory", toFd, NOTE_WRITE | NOTE_EXTEND);
    Files.move(sub, to.resolve("sub"), ATOMIC_MOVE);
    expect("a directory moved across", fromFd, NOTE_WRITE | NOTE_EXTEND | NOTE_LINK,
        toFd, NOTE_WRITE | NOTE_EXTEND | NOTE_LINK);
    Files.move(to.resolve("sub"), to.resolve("sub2"), ATOMIC_MOVE);
    expect("a directory renamed in place", toFd, NOTE_WRITE);
  }

  @Test
  void rmdirOfAWatchedDirectoryIsNoteDelete() throws Exception {
    Path d = Files.createDirectory(dir.resolve("d"));
    Path sub = Files.createDirectory(d.resolve("sub"));
    int parentFd = watch(d, EV_CLEAR, CHANGES);
    int fd = watch(sub, EV_CLEAR, CHANGES);
    Files.delete(sub);
    expect("rmdir", fd, NOTE_DELETE, parentFd, NOTE_WRITE | NOTE_LINK);
  }

  @Test
  void aWatchedDirectoryIsSeenRemovedAfterItMoved() throws Exception {
    Path d = Files.createDirectory(dir.resolve("d"));
    Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
    Path sub = Files.createDirectory(d.resolve("sub"));
    int fd = watch(sub, EV_CLEAR, NOTE_DELETE | NOTE_RENAME);
    Path moved = Files.move(sub, elsewhere.resolve("sub"), ATOMIC_MOVE);
    expect(fd, NOTE_RENAME, "moved to another parent");
    Files.delete(moved);
    expect(fd, NOTE_DELETE, "removed in its new parent");
  }

  @Test
  void aDirectoryReplacedByARenameIsNoteDelete() throws Exception {
    Path d = Files.createDirectory(dir.resolve("d"));
    Path victim = Files.createDirectory(d.resolve("victim"));
    Path replacement = Files.createDirectory(d.resolve("replacement"));
    int parentFd = watch(d, EV_CLEAR, CHANGES);
    int fd = watch(victim, EV_CLEAR, CHANGES);
    Files.move(replacement, victim, ATOMIC_MOVE, REPLACE_EXISTING);
    // vop_rename_post: tvp gets NOTE_DELETE; the directory NOTE_WRITE, plus NOTE_LINK because the
    // replaced target was a directory
    expect("rename of a directory over a watched one", fd, NOTE_DELETE,
        parentFd, NOTE_WRITE | NOTE_LINK);
  }

  // ---------------------------------------------------------------- kqueue semantics

  @Test
  void onlyRequestedBitsAreReported() throws Exception {
    int fd = watch(file, EV_CLEAR, NOTE_WRITE);
    Files.writeString(file, "more", APPEND);
    expect(fd, NOTE_WRITE, "append, NOTE_EXTEND not asked for");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    expect(fd, 0, "chmod, NOTE_ATTRIB not asked for");
  }

  @Test
  void bitsAccumulateUntilDelivery() throws Exception {
    int fd = watch(file, EV_CLEAR, CHANGES);
    Files.writeString(file, "more", APPEND);
    settle();
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    settle();
    Files.move(file, dir.resolve("renamed"), ATOMIC_MOVE);
    expect(fd, NOTE_WRITE | NOTE_EXTEND | NOTE_ATTRIB | NOTE_RENAME, "three operations, one event");
    expect(fd, 0, "EV_CLEAR: nothing after delivery");
  }

  @Test
  void withoutEvClearTheEventRepeats() throws Exception {
    int fd = watch(file, 0, CHANGES);
    Files.writeString(file, "more", APPEND);
    expect(fd, NOTE_WRITE | NOTE_EXTEND, "first delivery");
    expect(fd, NOTE_WRITE | NOTE_EXTEND, "level-triggered: again (decision D7)");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    expect(fd, NOTE_WRITE | NOTE_EXTEND | NOTE_ATTRIB, "and the bits keep accumulating");
  }

  @Test
  void oneshotIsDeliveredOnceAndDropped() throws Exception {
    int fd = watch(file, EV_ONESHOT, CHANGES);
    Files.writeString(file, "more", APPEND);
    KEvent[] events = events();
    assertEquals(1, events.length);
    assertTrue((events[0].flags() & EV_ONESHOT) != 0);
    Files.writeString(file, "more", APPEND);
    assertEquals(0, events().length);
    KQueueException e = assertThrows(KQueueException.class, () -> kq.kevent(
        new KEvent[] {KEvent.of(fd, EVFILT_VNODE, EV_DELETE, 0, 0, null)}, null, Duration.ZERO));
    assertEquals(Errno.ENOENT, e.errno());
  }

  @Test
  void theEventCarriesIdentFilterFlagsAndUdata() throws Exception {
    int fd = watch(file, EV_CLEAR, CHANGES);
    Files.writeString(file, "more", APPEND);
    KEvent[] events = events();
    assertEquals(1, events.length);
    assertEquals(fd, events[0].ident());
    assertEquals(EVFILT_VNODE, events[0].filter());
    assertEquals(EV_CLEAR, events[0].flags());
    assertEquals(NOTE_WRITE | NOTE_EXTEND, events[0].fflags());
    assertEquals(0, events[0].data());
    assertEquals("fd" + fd, events[0].udata());
  }

  @Test
  void evAddOnAnExistingKnoteReplacesItsFflags() throws Exception {
    int fd = watch(file, EV_CLEAR, NOTE_WRITE);
    Files.readString(file);
    expect(fd, 0, "NOTE_OPEN not asked for");
    add(fd, EV_CLEAR, NOTE_WRITE | NOTE_OPEN);
    Files.readString(file);
    expect(fd, NOTE_OPEN, "NOTE_OPEN asked for now");
    add(fd, EV_CLEAR, NOTE_WRITE);
    Files.readString(file);
    expect(fd, 0, "and no longer");
    assertEquals(InotifyNotes.FILE_EVENTS, InotifyVnodeLoop.peek().vnodeOf(file).mask,
        "the watch narrowed again");
  }

  @Test
  void closingTheDescriptorDropsTheKnote() throws Exception {
    int fd = open(file);
    add(fd, EV_CLEAR, CHANGES);
    FileDescriptors.close(fd);
    Files.writeString(file, "more", APPEND);
    assertEquals(0, events().length);
    assertEquals(0, ((EmulatedKQueue) kq).checkInvariants());
    assertEquals(null, InotifyVnodeLoop.peek().vnodeOf(file), "the watch ended with its knote");
  }

  @Test
  void knotesOnOneObjectShareOneWatch() throws Exception {
    try (KQueue other = KQueue.emulated()) {
      int fd1 = watch(file, EV_CLEAR, NOTE_WRITE);
      int fd2 = open(file);
      other.kevent(new KEvent[] {KEvent.of(fd2, EVFILT_VNODE, EV_ADD | EV_CLEAR, NOTE_ATTRIB, 0,
          null)}, null, Duration.ZERO);
      InotifyVnode vnode = InotifyVnodeLoop.peek().vnodeOf(file);
      assertNotNull(vnode);
      assertEquals(2, vnode.references);
      Files.writeString(file, "more", APPEND);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      expect(fd1, NOTE_WRITE, "first kqueue");
      KEvent[] out = new KEvent[4];
      assertEquals(1, other.kevent(null, out, Duration.ZERO));
      assertEquals(NOTE_ATTRIB, out[0].fflags());
      kq.kevent(new KEvent[] {KEvent.of(fd1, EVFILT_VNODE, EV_DELETE, 0, 0, null)}, null,
          Duration.ZERO);
      assertSame(vnode, InotifyVnodeLoop.peek().vnodeOf(file));
      assertEquals(1, vnode.references);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
      settle();
      assertEquals(1, other.kevent(null, out, Duration.ZERO));
      assertEquals(NOTE_ATTRIB, out[0].fflags());
    }
  }

  @Test
  void aPipeIsNotAVnode() throws Exception {
    int[] pipe = FileDescriptors.pipe();
    try {
      KEvent[] out = new KEvent[1];
      assertEquals(1, kq.kevent(new KEvent[] {KEvent.of(pipe[0], EVFILT_VNODE,
          EV_ADD | EV_RECEIPT, NOTE_WRITE, 0, null)}, out, Duration.ZERO));
      assertTrue((out[0].flags() & EV_ERROR) != 0);
      assertEquals(Errno.EINVAL, out[0].data());
    } finally {
      FileDescriptors.close(pipe[0]);
      FileDescriptors.close(pipe[1]);
    }
  }

  @Test
  void aRevokedObjectReportsEofAlwaysAndNoteRevokeWhenAskedFor() throws Exception {
    int asked = watch(file, 0, NOTE_REVOKE | NOTE_WRITE);
    int notAsked = open(file);
    add(notAsked, 0, NOTE_WRITE);
    InotifyVnodeLoop.peek().vnodeOf(file).revoke(); // what IN_UNMOUNT or a lost watch lead to
    for (int round = 0; round < 2; round++) { // without EV_CLEAR it stays reported
      KEvent[] events = events();
      assertEquals(2, events.length, java.util.Arrays.toString(events));
      for (KEvent e : events) {
        assertTrue((e.flags() & EV_EOF) != 0, e.toString());
        assertEquals(e.ident() == asked ? NOTE_REVOKE : 0, e.fflags(), e.toString());
      }
    }
  }

  @Test
  void aWatchTheKernelDropsRevokesTheObject() throws Exception {
    int asked = watch(file, EV_CLEAR, NOTE_REVOKE | NOTE_WRITE);
    int notAsked = watch(file, EV_CLEAR, NOTE_WRITE);
    InotifyVnode vnode = InotifyVnodeLoop.peek().vnodeOf(file);
    // inotify_rm_watch behind the source's back: the kernel queues IN_IGNORED without
    // IN_DELETE_SELF, as when it drops a watch itself (IN_UNMOUNT); the object is unobservable now
    vnode.instance.inotify.removeWatch(vnode.wd);
    KEvent[] events = events();
    assertEquals(2, events.length, java.util.Arrays.toString(events));
    for (KEvent e : events) {
      assertTrue((e.flags() & EV_EOF) != 0, e.toString());
      assertEquals(e.ident() == asked ? NOTE_REVOKE : 0, e.fflags(), e.toString());
    }
    assertTrue(vnode.isRevoked());
    assertEquals(-1, vnode.wd, "the source knows the watch is gone");
    Files.writeString(file, "more", APPEND);
    expect("nothing is watched any more", asked, 0, notAsked, 0);
    kq.kevent(new KEvent[] {KEvent.of(asked, EVFILT_VNODE, EV_DELETE, 0, 0, null),
        KEvent.of(notAsked, EVFILT_VNODE, EV_DELETE, 0, 0, null)}, null, Duration.ZERO);
    assertEquals(null, InotifyVnodeLoop.peek().vnodeOf(file), "released without a watch to remove");
  }

  @Test
  void anExtendedAttributeIsNoteAttrib() throws Exception {
    UserDefinedFileAttributeView xattrs =
        Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
    assumeTrue(xattrs != null, "no user-defined attribute view in this JDK");
    try {
      xattrs.write("probe", ByteBuffer.wrap(new byte[] {1}));
    } catch (IOException e) {
      assumeTrue(false, "the temporary directory's file system has no user xattrs: " + e);
    }
    int fd = watch(file, EV_CLEAR, CHANGES);
    xattrs.write("kqueue4j", ByteBuffer.wrap(new byte[] {1, 2, 3}));
    expect(fd, NOTE_ATTRIB, "setxattr");
    xattrs.delete("kqueue4j");
    expect(fd, NOTE_ATTRIB, "removexattr");
  }

  @Test
  void theTouchCommandIsNoteAttrib() throws Exception {
    int fd = watch(file, EV_CLEAR, CHANGES | NOTE_OPEN | NOTE_CLOSE_WRITE);
    command("touch", file.toString());
    expect(fd, NOTE_ATTRIB | NOTE_OPEN | NOTE_CLOSE_WRITE,
        "touch (coreutils): open, utimensat, close");
    command("touch", dir.resolve("new").toString());
    expect(fd, 0, "touch of another file");
  }

  @Test
  void theParentWatchOfADirectoryEndsWithItsLastKnote() throws Exception {
    Path d = Files.createDirectory(dir.resolve("d"));
    Path sub = Files.createDirectory(d.resolve("sub"));
    int fd = watch(sub, EV_CLEAR, NOTE_DELETE);
    InotifyVnodeLoop loop = InotifyVnodeLoop.peek();
    InotifyVnode parent = loop.vnodeOf(d);
    assertNotNull(parent, "the parent is watched to see the directory removed");
    assertSame(parent, loop.vnodeOf(sub).parent);
    add(fd, EV_CLEAR, NOTE_WRITE);
    assertEquals(null, loop.vnodeOf(d), "no NOTE_DELETE asked for: no parent watch");
    add(fd, EV_CLEAR, NOTE_DELETE);
    assertNotNull(loop.vnodeOf(d));
    kq.kevent(new KEvent[] {KEvent.of(fd, EVFILT_VNODE, EV_DELETE, 0, 0, null)}, null,
        Duration.ZERO);
    assertEquals(null, loop.vnodeOf(sub));
    assertEquals(null, loop.vnodeOf(d));
  }

  @Test
  void concurrentRegistrationsAndEventsLeaveNoWatchBehind() throws Exception {
    int threads = 4;
    int rounds = 300;
    java.util.concurrent.atomic.AtomicReference<Throwable> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean writing =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread writer = new Thread(() -> {
      try {
        while (writing.get()) {
          Files.writeString(file, "x", APPEND);
          Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
      } catch (Exception e) {
        failure.compareAndSet(null, e);
      }
    });
    writer.start();
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      workers[t] = new Thread(() -> {
        try {
          for (int i = 0; i < rounds; i++) {
            int fd = FileDescriptors.open(file);
            kq.kevent(new KEvent[] {KEvent.of(fd, EVFILT_VNODE, EV_ADD | EV_CLEAR,
                (i & 1) == 0 ? CHANGES : CHANGES | ACCESS, 0, null)}, null, Duration.ZERO);
            kq.kevent(null, new KEvent[8], Duration.ZERO);
            if ((i & 2) == 0) {
              kq.kevent(new KEvent[] {KEvent.of(fd, EVFILT_VNODE, EV_DELETE, 0, 0, null)}, null,
                  Duration.ZERO);
            }
            FileDescriptors.close(fd);
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      });
      workers[t].start();
    }
    for (Thread w : workers) {
      w.join();
    }
    writing.set(false);
    writer.join();
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
    settle();
    kq.kevent(null, new KEvent[64], Duration.ZERO);
    assertEquals(0, ((EmulatedKQueue) kq).checkInvariants(), "every knote was dropped");
    assertEquals(null, InotifyVnodeLoop.peek().vnodeOf(file), "and the watch ended with them");
  }
}
