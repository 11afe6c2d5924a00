package io.kqueue4j.linux.vnode;

import static io.kqueue4j.KEvent.EVFILT_VNODE;
import static io.kqueue4j.KEvent.EV_ADD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.vnode.VnodeNotes;
import io.kqueue4j.linux.Inotify;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Helpers for the {@code EVFILT_VNODE} tests on the emulated kqueue with the inotify source: real
 * files in a temporary directory, descriptors from {@link FileDescriptors#open}, and a barrier
 * ({@link #settle()}) after which every event of the operations before it has been posted, so that
 * a test can check the exact bits an operation produced without sleeping.
 */
abstract class VnodeTestSupport {
  @TempDir Path dir;
  KQueue kq;
  private final List<Integer> fds = new ArrayList<>();

  @BeforeEach
  void openQueue() throws KQueueException {
    assumeTrue(Inotify.isAvailable(), "inotify: " + Inotify.unavailabilityCause());
    kq = KQueue.emulated();
  }

  @AfterEach
  void closeAll() {
    if (kq != null) {
      kq.close();
    }
    for (int fd : fds) {
      try {
        FileDescriptors.close(fd);
      } catch (KQueueException e) {
        // closed by the test
      }
    }
  }

  /** {@code open(path, O_RDONLY)}, closed after the test. */
  int open(Path path) throws KQueueException {
    int fd = FileDescriptors.open(path);
    fds.add(fd);
    return fd;
  }

  /** Opens {@code path} and registers an {@code EVFILT_VNODE} knote for {@code fflags}. */
  int watch(Path path, int flags, int fflags) throws Exception {
    int fd = open(path);
    add(fd, flags, fflags);
    return fd;
  }

  void add(int fd, int flags, int fflags) throws KQueueException {
    kq.kevent(new KEvent[] {KEvent.of(fd, EVFILT_VNODE, EV_ADD | flags, fflags, 0, "fd" + fd)},
        null, Duration.ZERO);
  }

  /** Runs a command such as {@code touch} (coreutils) and requires it to succeed. */
  static void command(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", command));
    assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + output);
  }

  /** Waits until every inotify event queued so far has been read and posted. */
  static void settle() throws Exception {
    InotifyVnodeLoop loop = InotifyVnodeLoop.peek();
    if (loop != null) {
      loop.awaitDrained();
    }
  }

  /** {@link #settle()}, then every pending event. */
  KEvent[] events() throws Exception {
    settle();
    KEvent[] out = new KEvent[64];
    int n = kq.kevent(null, out, Duration.ZERO);
    return Arrays.copyOf(out, n);
  }

  /** {@link #settle()}, then the fflags of the one event pending for {@code fd}, 0 if none. */
  int fflags(int fd) throws Exception {
    int fflags = 0;
    int seen = 0;
    for (KEvent e : events()) {
      if (e.ident() == fd) {
        fflags |= e.fflags();
        seen++;
      }
    }
    assertEquals(seen > 0 ? 1 : 0, seen, "one event per knote per call");
    return fflags;
  }

  /** Asserts that {@code fd}'s knote reports exactly {@code expected} now, and no other knote. */
  void expect(int fd, int expected, String operation) throws Exception {
    expect(operation, fd, expected);
  }

  /**
   * Asserts what every knote reports now: {@code fdsAndBits} is pairs of descriptor and {@code
   * fflags}; knotes not named must report nothing.
   */
  void expect(String operation, int... fdsAndBits) throws Exception {
    Map<Long, String> expected = new TreeMap<>();
    for (int i = 0; i < fdsAndBits.length; i += 2) {
      if (fdsAndBits[i + 1] != 0) {
        expected.put((long) fdsAndBits[i], VnodeNotes.toString(fdsAndBits[i + 1]));
      }
    }
    Map<Long, String> actual = new TreeMap<>();
    for (KEvent e : events()) {
      String previous = actual.put(e.ident(), VnodeNotes.toString(e.fflags()));
      assertEquals(null, previous, "one event per knote per call");
    }
    assertEquals(expected, actual, operation);
  }
}
