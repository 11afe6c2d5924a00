package io.kqueue4j.linux.vnode;

import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.NOTE_ATTRIB;
import static io.kqueue4j.KEvent.NOTE_CLOSE;
import static io.kqueue4j.KEvent.NOTE_CLOSE_WRITE;
import static io.kqueue4j.KEvent.NOTE_DELETE;
import static io.kqueue4j.KEvent.NOTE_EXTEND;
import static io.kqueue4j.KEvent.NOTE_LINK;
import static io.kqueue4j.KEvent.NOTE_OPEN;
import static io.kqueue4j.KEvent.NOTE_READ;
import static io.kqueue4j.KEvent.NOTE_RENAME;
import static io.kqueue4j.KEvent.NOTE_WRITE;
import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.filters.vnode.VnodeNotes;
import io.kqueue4j.filters.vnode.VnodeState;
import io.kqueue4j.linux.FileStat;
import io.kqueue4j.linux.Inotify;
import io.kqueue4j.linux.Stat;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The same operations watched by a knote and by {@code inotifywait -m} (inotify-tools), an
 * independent inotify reader. For each operation: the {@code NOTE_*} bits the knote reports must
 * equal the documented mapping ({@link InotifyNotes}) applied to what {@code inotifywait} printed
 * and to the object's {@code stat} before and after; they must be the bits {@code docs/vnode.md}
 * gives for the operation; and every operation that reports something must have been seen by
 * {@code inotifywait} too, except the one Linux does not report on the object itself (the removal
 * of a directory held open). Each run prints the table of both views. Skipped, with the reason,
 * when {@code inotifywait} is not installed (the project's {@code .ci/setup} installs it).
 */
@EnabledOnOs(OS.LINUX)
class VnodeInotifywaitTest extends VnodeTestSupport {
  interface Operation {
    void run() throws Exception;
  }

  /**
   * One operation and the bits the knote must report for it; {@code unseen} when inotify reports
   * nothing on the watched object itself and the bits come from {@code stat} alone.
   */
  record Step(String name, int expected, boolean unseen, Operation operation) {
    Step(String name, int expected, Operation operation) {
      this(name, expected, false, operation);
    }
  }

  Path markers;
  final List<String> table = new ArrayList<>();

  @BeforeEach
  void needInotifywait() throws Exception {
    String why = Inotifywait.unavailable();
    assumeTrue(why == null, why);
    markers = Files.createDirectory(dir.resolve("markers"));
  }

  private static VnodeState state(int fd) throws Exception {
    FileStat st = Stat.fstat(fd);
    return new VnodeState(st.dev(), st.ino(), st.mode(), st.nlink(), st.uid(), st.gid(),
        st.size(), st.mtimeNanos(), st.ctimeNanos(), null);
  }

  /** The documented mapping applied to inotifywait's lines for {@code watched}. */
  static int map(List<Inotifywait.Line> lines, String watched, boolean directory,
      VnodeState before, VnodeState after) {
    InotifyNotes.Changes changes = new InotifyNotes.Changes();
    InotifyNotes.Moves moves = new InotifyNotes.Moves();
    int cookies = 0;
    int pendingFrom = 0;
    for (Inotifywait.Line line : lines) {
      if (!line.watched().equals(watched)) {
        continue;
      }
      // inotifywait prints no cookie; a rename's two halves are consecutive lines
      int cookie = 0;
      if ((line.mask() & Inotify.IN_MOVED_FROM) != 0) {
        cookie = pendingFrom = ++cookies;
      } else if ((line.mask() & Inotify.IN_MOVED_TO) != 0) {
        cookie = pendingFrom != 0 ? pendingFrom : ++cookies;
        pendingFrom = 0;
      }
      changes.record(line.mask(), !line.name().isEmpty(), cookie, moves);
    }
    moves.finish();
    return InotifyNotes.notes(directory, changes, before, after);
  }

  /** Runs the steps, comparing the knote on {@code fd} with inotifywait's view of {@code path}. */
  private void compare(Inotifywait iw, int fd, Path path, boolean directory, List<Step> steps)
      throws Exception {
    iw.until();
    events();
    String watched = path.toString();
    for (Step step : steps) {
      VnodeState before = state(fd);
      step.operation().run();
      VnodeState after = state(fd);
      List<Inotifywait.Line> lines = iw.until();
      int expected = map(lines, watched, directory, before, after) & VnodeNotes.ALL;
      int actual = fflags(fd);
      String seen = lines.stream().filter(l -> l.watched().equals(watched))
          .map(l -> Inotify.maskToString(l.mask()) + (l.name().isEmpty() ? "" : " " + l.name()))
          .collect(Collectors.joining(", "));
      table.add(String.format("%-40s | %-60s | %s", step.name(), seen,
          VnodeNotes.toString(actual)));
      assertEquals(VnodeNotes.toString(expected), VnodeNotes.toString(actual),
          step.name() + ": inotifywait saw [" + seen + "]");
      assertEquals(VnodeNotes.toString(step.expected()), VnodeNotes.toString(actual),
          step.name() + ": the documented bits; inotifywait saw [" + seen + "]");
      if (step.unseen()) {
        assertEquals("", seen, step.name() + ": inotify reports nothing on the object itself");
      } else if (step.expected() != 0) {
        assertFalse(seen.isEmpty(), step.name() + ": inotifywait saw it too");
      }
    }
    System.out.println(String.join("\n", table));
  }

  @Test
  void fileOperationsMatchInotifywait() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "hello");
    Path other = Files.createDirectory(dir.resolve("other"));
    try (Inotifywait iw = Inotifywait.start(markers, file)) {
      int fd = watch(file, EV_CLEAR, VnodeNotes.ALL);
      Path[] at = {file};
      FileChannel[] writer = new FileChannel[1];
      int written = NOTE_OPEN | NOTE_CLOSE_WRITE;
      List<Step> steps = List.of(
          new Step("write in place", NOTE_WRITE | written, () -> {
            try (FileChannel ch = FileChannel.open(at[0], WRITE)) {
              ch.write(ByteBuffer.wrap(new byte[] {'J'}), 0);
            }
          }),
          new Step("append", NOTE_WRITE | NOTE_EXTEND | written,
              () -> Files.writeString(at[0], " world", APPEND)),
          new Step("truncate down", NOTE_WRITE | NOTE_ATTRIB | written, () -> truncate(at[0], 3)),
          new Step("truncate up", NOTE_WRITE | NOTE_EXTEND | written,
              () -> truncate(at[0], 5000)),
          new Step("chmod", NOTE_ATTRIB, () -> Files.setPosixFilePermissions(at[0],
              PosixFilePermissions.fromString("rw-------"))),
          new Step("chown", NOTE_ATTRIB, () -> Files.setOwner(at[0], Files.getOwner(at[0]))),
          new Step("touch", NOTE_ATTRIB | written,
              () -> command("touch", at[0].toString())),
          new Step("touch -m (modification time only)", NOTE_WRITE | written,
              () -> command("touch", "-m", at[0].toString())),
          new Step("touch -a (access time only)", NOTE_READ | written,
              () -> command("touch", "-a", at[0].toString())),
          new Step("open, read, close", NOTE_OPEN | NOTE_READ | NOTE_CLOSE,
              () -> Files.readAllBytes(at[0])),
          new Step("open for writing, close", written,
              () -> FileChannel.open(at[0], WRITE).close()),
          new Step("link", NOTE_LINK, () -> Files.createLink(dir.resolve("g"), at[0])),
          new Step("unlink of another name", NOTE_DELETE, () -> Files.delete(dir.resolve("g"))),
          new Step("rename in the directory", NOTE_RENAME, () -> at[0] = Files.move(at[0],
              dir.resolve("h"), ATOMIC_MOVE)),
          new Step("rename to another directory", NOTE_RENAME, () -> at[0] = Files.move(at[0],
              other.resolve("h"), ATOMIC_MOVE)),
          new Step("rename back", NOTE_RENAME,
              () -> at[0] = Files.move(at[0], file, ATOMIC_MOVE)),
          new Step("open a writer", NOTE_OPEN,
              () -> writer[0] = FileChannel.open(at[0], WRITE, APPEND)),
          new Step("unlink of the last name", NOTE_DELETE, () -> Files.delete(at[0])),
          new Step("write to the unlinked file", NOTE_WRITE | NOTE_EXTEND,
              () -> writer[0].write(ByteBuffer.allocate(10))),
          new Step("close the writer", NOTE_CLOSE_WRITE, () -> writer[0].close()));
      compare(iw, fd, file, false, steps);
    }
  }

  @Test
  void renameOverTheWatchedFileMatchesInotifywait() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "hello");
    Path replacement = Files.writeString(dir.resolve("r"), "replacement");
    try (Inotifywait iw = Inotifywait.start(markers, file)) {
      int fd = watch(file, EV_CLEAR, VnodeNotes.ALL);
      compare(iw, fd, file, false, List.of(new Step("rename another file over it", NOTE_DELETE,
          () -> Files.move(replacement, file, ATOMIC_MOVE, REPLACE_EXISTING))));
    }
  }

  @Test
  void directoryOperationsMatchInotifywait() throws Exception {
    Path d = Files.createDirectory(dir.resolve("d"));
    Path other = Files.createDirectory(dir.resolve("other"));
    Path outside = Files.writeString(dir.resolve("outside"), "o");
    try (Inotifywait iw = Inotifywait.start(markers, d)) {
      int fd = watch(d, EV_CLEAR, VnodeNotes.ALL);
      List<Step> steps = List.of(
          new Step("create a file", NOTE_WRITE, () -> Files.writeString(d.resolve("x"), "data")),
          new Step("write an entry", 0, () -> Files.writeString(d.resolve("x"), "+", APPEND)),
          new Step("chmod an entry", 0, () -> Files.setPosixFilePermissions(d.resolve("x"),
              PosixFilePermissions.fromString("rw-------"))),
          new Step("rename an entry", NOTE_WRITE, () -> Files.move(d.resolve("x"),
              d.resolve("y"), ATOMIC_MOVE)),
          new Step("mkdir", NOTE_WRITE | NOTE_LINK, () -> Files.createDirectory(d.resolve("sub"))),
          new Step("rename a subdirectory", NOTE_WRITE, () -> Files.move(d.resolve("sub"),
              d.resolve("sub2"), ATOMIC_MOVE)),
          new Step("rmdir", NOTE_WRITE | NOTE_LINK, () -> Files.delete(d.resolve("sub2"))),
          new Step("move a file out", NOTE_WRITE | NOTE_EXTEND, () -> Files.move(d.resolve("y"),
              other.resolve("y"), ATOMIC_MOVE)),
          new Step("move a file in", NOTE_WRITE | NOTE_EXTEND, () -> Files.move(
              other.resolve("y"), d.resolve("y"), ATOMIC_MOVE)),
          new Step("move a directory in", NOTE_WRITE | NOTE_EXTEND | NOTE_LINK, () -> Files.move(
              Files.createDirectory(other.resolve("s")), d.resolve("s"), ATOMIC_MOVE)),
          new Step("move a directory out", NOTE_WRITE | NOTE_EXTEND | NOTE_LINK,
              () -> Files.move(d.resolve("s"), other.resolve("s"), ATOMIC_MOVE)),
          new Step("replace a directory by a rename", NOTE_WRITE | NOTE_LINK, () -> {
            Files.createDirectory(d.resolve("victim"));
            Files.createDirectory(d.resolve("replacement"));
            Files.move(d.resolve("replacement"), d.resolve("victim"), ATOMIC_MOVE,
                REPLACE_EXISTING);
          }),
          new Step("symlink", NOTE_WRITE,
              () -> Files.createSymbolicLink(d.resolve("link"), outside)),
          new Step("hard link", NOTE_WRITE, () -> Files.createLink(d.resolve("hard"), outside)),
          new Step("remove a file", NOTE_WRITE, () -> Files.delete(d.resolve("hard"))),
          new Step("list the directory", NOTE_OPEN | NOTE_READ | NOTE_CLOSE, () -> {
            try (Stream<Path> entries = Files.list(d)) {
              entries.count();
            }
          }),
          new Step("chmod the directory", NOTE_ATTRIB, () -> Files.setPosixFilePermissions(d,
              PosixFilePermissions.fromString("rwx------"))),
          new Step("rename the directory", NOTE_RENAME,
              () -> Files.move(d, dir.resolve("d2"), ATOMIC_MOVE)));
      compare(iw, fd, d, true, steps);
    }
  }

  @Test
  void rmdirOfTheWatchedDirectoryMatchesInotifywait() throws Exception {
    Path d = Files.createDirectory(dir.resolve("d"));
    Path sub = Files.createDirectory(d.resolve("sub"));
    try (Inotifywait iw = Inotifywait.start(markers, sub)) {
      int fd = watch(sub, EV_CLEAR, VnodeNotes.ALL);
      // with a descriptor open on it, no inotify watch on the directory itself sees the removal
      // (IN_DELETE_SELF waits for the last reference); the link count in stat tells both
      compare(iw, fd, sub, true, List.of(new Step("rmdir", NOTE_DELETE, true,
          () -> Files.delete(sub))));
    }
  }

  private static void truncate(Path path, long size) throws Exception {
    try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
      raf.setLength(size);
    }
  }
}
