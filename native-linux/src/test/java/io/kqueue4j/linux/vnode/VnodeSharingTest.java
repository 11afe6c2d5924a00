package io.kqueue4j.linux.vnode;

import static io.kqueue4j.KEvent.EVFILT_VNODE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.NOTE_ATTRIB;
import static io.kqueue4j.KEvent.NOTE_DELETE;
import static io.kqueue4j.KEvent.NOTE_OPEN;
import static io.kqueue4j.KEvent.NOTE_WRITE;
import static java.nio.file.StandardOpenOption.APPEND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.linux.FileStat;
import io.kqueue4j.linux.Stat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * What the inotify source costs the kernel, read back from the kernel itself ({@code
 * /proc/self/fd} and {@code /proc/self/fdinfo}): a fixed, small number of inotify instances shared
 * by every kqueue, and one kernel watch per watched inode, whatever the number of names,
 * descriptors, knotes and kqueues that lead to it.
 */
@EnabledOnOs(OS.LINUX)
class VnodeSharingTest extends VnodeTestSupport {

  /** A watch as the kernel lists it in an inotify descriptor's fdinfo (numbers in hexadecimal). */
  record KernelWatch(int wd, long ino) {}

  /** The process's inotify descriptors, whoever opened them. */
  static Set<Integer> inotifyDescriptors() throws IOException {
    Set<Integer> fds = new HashSet<>();
    try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        try {
          if (Files.readSymbolicLink(entry).toString().equals("anon_inode:inotify")) {
            fds.add(Integer.parseInt(entry.getFileName().toString()));
          }
        } catch (IOException e) {
          // closed while listed (the directory stream's own descriptor, for one)
        }
      }
    }
    return fds;
  }

  /** The watches the kernel holds for inotify descriptor {@code fd}. */
  static List<KernelWatch> kernelWatches(int fd) throws IOException {
    List<KernelWatch> watches = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
      if (line.startsWith("inotify ")) {
        int wd = 0;
        long ino = -1;
        for (String field : line.split(" ")) {
          if (field.startsWith("wd:")) {
            wd = Integer.parseInt(field.substring(3), 16);
          } else if (field.startsWith("ino:")) {
            ino = Long.parseLong(field.substring(4), 16);
          }
        }
        watches.add(new KernelWatch(wd, ino));
      }
    }
    return watches;
  }

  private static long watchesOf(InotifyVnodeLoop loop, long ino) throws IOException {
    long n = 0;
    for (InotifyVnodeLoop.Instance instance : loop.instances) {
      n += kernelWatches(instance.inotify.fd()).stream().filter(w -> w.ino() == ino).count();
    }
    return n;
  }

  @Test
  void aFewInotifyInstancesServeEveryKqueue() throws Exception {
    watch(Files.writeString(dir.resolve("first"), "x"), EV_CLEAR, NOTE_WRITE);
    InotifyVnodeLoop loop = InotifyVnodeLoop.peek();
    assertEquals(InotifyVnodeLoop.DEFAULT_INSTANCES, loop.instances.length);
    Set<Integer> before = inotifyDescriptors();
    for (InotifyVnodeLoop.Instance instance : loop.instances) {
      assertTrue(before.contains(instance.inotify.fd()), "the source's instances are real");
    }
    List<KQueue> queues = new ArrayList<>();
    try {
      for (int q = 0; q < 8; q++) {
        KQueue each = KQueue.emulated();
        queues.add(each);
        for (int i = 0; i < 10; i++) {
          int fd = open(Files.writeString(dir.resolve("q" + q + "-" + i), "x"));
          each.kevent(new KEvent[] {KEvent.of(fd, EVFILT_VNODE, EV_ADD | EV_CLEAR, NOTE_WRITE, 0,
              null)}, null, Duration.ZERO);
        }
      }
      assertEquals(before, inotifyDescriptors(), "8 more kqueues, 80 more files: no new instance");
      int kernel = 0;
      int ours = 0;
      for (InotifyVnodeLoop.Instance instance : loop.instances) {
        int inKernel = kernelWatches(instance.inotify.fd()).size();
        assertTrue(inKernel > 0, "every instance carries watches");
        kernel += inKernel;
        ours += instance.watches;
      }
      assertEquals(ours, kernel, "the kernel holds exactly the watches the source counts");
      assertTrue(kernel >= 81, "one watch per watched file: " + kernel);
      Files.writeString(dir.resolve("q7-9"), "more", APPEND);
      settle();
      KEvent[] out = new KEvent[4];
      assertEquals(1, queues.get(7).kevent(null, out, Duration.ZERO));
      assertEquals(NOTE_WRITE, out[0].fflags());
    } finally {
      queues.forEach(KQueue::close);
    }
  }

  @Test
  void knotesOnOneInodeShareOneKernelWatch() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "hello");
    Path otherName = Files.createLink(dir.resolve("g"), file);
    long ino = Stat.stat(file).ino();
    try (KQueue other = KQueue.emulated()) {
      int byName = watch(file, EV_CLEAR, NOTE_WRITE);
      int again = watch(file, EV_CLEAR, NOTE_DELETE);
      int byOtherName = open(otherName);
      other.kevent(new KEvent[] {KEvent.of(byOtherName, EVFILT_VNODE, EV_ADD | EV_CLEAR,
          NOTE_ATTRIB, 0, null)}, null, Duration.ZERO);
      InotifyVnodeLoop loop = InotifyVnodeLoop.peek();
      InotifyVnode vnode = loop.vnodeOf(file);
      assertNotNull(vnode);
      assertEquals(3, vnode.references, "three knotes, two kqueues, two names");
      assertEquals(1, watchesOf(loop, ino), "one kernel watch for the inode");

      Files.writeString(otherName, "more", APPEND);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      expect("write and chmod through either name", byName, NOTE_WRITE);
      KEvent[] out = new KEvent[4];
      assertEquals(1, other.kevent(null, out, Duration.ZERO));
      assertEquals(NOTE_ATTRIB, out[0].fflags());

      kq.kevent(new KEvent[] {KEvent.of(byName, EVFILT_VNODE, EV_DELETE, 0, 0, null),
          KEvent.of(again, EVFILT_VNODE, EV_DELETE, 0, 0, null)}, null, Duration.ZERO);
      assertEquals(1, watchesOf(loop, ino), "the other kqueue's knote keeps the watch");
      other.kevent(new KEvent[] {KEvent.of(byOtherName, EVFILT_VNODE, EV_DELETE, 0, 0, null)},
          null, Duration.ZERO);
      assertEquals(0, watchesOf(loop, ino), "the last knote removed the kernel watch");
      assertNull(loop.vnodeOf(file));
    }
  }

  @Test
  void theWatchMaskIsTheUnionOfTheKnotesRequests() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "hello");
    FileStat st = Stat.stat(file);
    int plain = watch(file, EV_CLEAR, NOTE_WRITE);
    int opens = watch(file, EV_CLEAR, NOTE_OPEN);
    InotifyVnode vnode = InotifyVnodeLoop.peek().vnodeOf(file);
    assertEquals(InotifyNotes.mask(false, NOTE_OPEN), vnode.mask);
    kq.kevent(new KEvent[] {KEvent.of(opens, EVFILT_VNODE, EV_DELETE, 0, 0, null)}, null,
        Duration.ZERO);
    assertEquals(InotifyNotes.FILE_EVENTS, vnode.mask, "narrowed when the knote went");
    assertEquals(st.ino(), vnode.key.ino());
    Files.readAllBytes(file);
    expect(plain, 0, "no IN_OPEN watched any more");
  }
}
