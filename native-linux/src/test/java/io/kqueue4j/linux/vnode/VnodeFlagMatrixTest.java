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
import static io.kqueue4j.KEvent.NOTE_REVOKE;
import static io.kqueue4j.KEvent.NOTE_WRITE;
import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kqueue4j.filters.vnode.VnodeNotes;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Every {@code NOTE_*} bit against every operation: one knote per bit, each through its own
 * descriptor, plus one knote asking for all of them, on the same object. After each operation the
 * knote asking for everything reports the operation's full set of bits, each single-bit knote
 * reports its bit exactly when that set holds it, and no knote reports anything else: only
 * requested bits are reported, whatever the operation.
 */
@EnabledOnOs(OS.LINUX)
class VnodeFlagMatrixTest extends VnodeTestSupport {
  static final int[] BITS = {NOTE_DELETE, NOTE_WRITE, NOTE_EXTEND, NOTE_ATTRIB, NOTE_LINK,
      NOTE_RENAME, NOTE_REVOKE, NOTE_OPEN, NOTE_CLOSE, NOTE_CLOSE_WRITE, NOTE_READ};

  interface Operation {
    void run() throws Exception;
  }

  record Op(String name, int expected, Operation operation) {}

  /** Registers one knote per bit and one for all bits on {@code path}; their descriptors. */
  private int[] watchEveryBit(Path path) throws Exception {
    int[] fds = new int[BITS.length + 1];
    for (int i = 0; i < fds.length; i++) {
      fds[i] = open(path); // all opened first: an open is itself an event once a knote is there
    }
    for (int i = 0; i < fds.length; i++) {
      add(fds[i], EV_CLEAR, i < BITS.length ? BITS[i] : VnodeNotes.ALL);
    }
    assertEquals(BITS.length + 1, InotifyVnodeLoop.peek().vnodeOf(path).references,
        "every knote on the object shares one watch");
    return fds;
  }

  private void check(Path path, List<Op> ops) throws Exception {
    int[] fds = watchEveryBit(path);
    for (Op op : ops) {
      op.operation().run();
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < fds.length; i++) {
        expected.add(fds[i]);
        expected.add(i < BITS.length ? BITS[i] & op.expected() : op.expected());
      }
      expect(op.name(), expected.stream().mapToInt(Integer::intValue).toArray());
    }
  }

  private static void writeAt(Path path, long position) throws Exception {
    try (FileChannel ch = FileChannel.open(path, WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {'J'}), position);
    }
  }

  private static void truncate(Path path, long size) throws Exception {
    try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
      raf.setLength(size);
    }
  }

  @Test
  void everyBitOfEveryFileOperation() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "hello");
    Path other = Files.createDirectory(dir.resolve("other"));
    Path[] at = {file};
    FileChannel[] writer = new FileChannel[1];
    int written = NOTE_OPEN | NOTE_CLOSE_WRITE;
    check(file, List.of(
        new Op("write in place", NOTE_WRITE | written, () -> writeAt(at[0], 0)),
        new Op("append", NOTE_WRITE | NOTE_EXTEND | written,
            () -> Files.writeString(at[0], " world", APPEND)),
        new Op("write past the end", NOTE_WRITE | NOTE_EXTEND | written,
            () -> writeAt(at[0], 100)),
        new Op("truncate down", NOTE_WRITE | NOTE_ATTRIB | written, () -> truncate(at[0], 3)),
        new Op("truncate up", NOTE_WRITE | NOTE_EXTEND | written, () -> truncate(at[0], 5000)),
        new Op("chmod", NOTE_ATTRIB, () -> Files.setPosixFilePermissions(at[0],
            PosixFilePermissions.fromString("rw-------"))),
        new Op("chown", NOTE_ATTRIB, () -> Files.setOwner(at[0], Files.getOwner(at[0]))),
        new Op("touch", NOTE_ATTRIB | written, () -> command("touch", at[0].toString())),
        new Op("open, read, close", NOTE_OPEN | NOTE_READ | NOTE_CLOSE,
            () -> Files.readAllBytes(at[0])),
        new Op("open for writing, close", written, () -> FileChannel.open(at[0], WRITE).close()),
        new Op("link", NOTE_LINK, () -> Files.createLink(dir.resolve("g"), at[0])),
        new Op("unlink of another name", NOTE_DELETE, () -> Files.delete(dir.resolve("g"))),
        new Op("rename in the directory", NOTE_RENAME,
            () -> at[0] = Files.move(at[0], dir.resolve("h"), ATOMIC_MOVE)),
        new Op("rename to another directory", NOTE_RENAME,
            () -> at[0] = Files.move(at[0], other.resolve("h"), ATOMIC_MOVE)),
        new Op("rename back", NOTE_RENAME, () -> at[0] = Files.move(at[0], file, ATOMIC_MOVE)),
        new Op("open a writer", NOTE_OPEN,
            () -> writer[0] = FileChannel.open(at[0], WRITE, APPEND)),
        new Op("unlink of the last name", NOTE_DELETE, () -> Files.delete(at[0])),
        new Op("write to the unlinked file", NOTE_WRITE | NOTE_EXTEND,
            () -> writer[0].write(ByteBuffer.allocate(10))),
        new Op("close the writer", NOTE_CLOSE_WRITE, () -> writer[0].close())));
  }

  @Test
  void everyBitOfARenameOverTheWatchedFile() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "hello");
    Path replacement = Files.writeString(dir.resolve("r"), "replacement");
    check(file, List.of(new Op("rename another file over it", NOTE_DELETE,
        () -> Files.move(replacement, file, ATOMIC_MOVE, REPLACE_EXISTING))));
  }

  @Test
  void everyBitOfEveryDirectoryOperation() throws Exception {
    Path d = Files.createDirectory(dir.resolve("d"));
    Path other = Files.createDirectory(dir.resolve("other"));
    Path outside = Files.writeString(dir.resolve("outside"), "o");
    Path[] at = {d};
    check(d, List.of(
        new Op("create a file", NOTE_WRITE, () -> Files.writeString(d.resolve("x"), "data")),
        new Op("write and chmod an entry", 0, () -> {
          Files.writeString(d.resolve("x"), "+", APPEND);
          Files.setPosixFilePermissions(d.resolve("x"),
              PosixFilePermissions.fromString("rw-------"));
        }),
        new Op("rename an entry", NOTE_WRITE,
            () -> Files.move(d.resolve("x"), d.resolve("y"), ATOMIC_MOVE)),
        new Op("mkdir", NOTE_WRITE | NOTE_LINK, () -> Files.createDirectory(d.resolve("sub"))),
        new Op("rename a subdirectory", NOTE_WRITE,
            () -> Files.move(d.resolve("sub"), d.resolve("sub2"), ATOMIC_MOVE)),
        new Op("rmdir", NOTE_WRITE | NOTE_LINK, () -> Files.delete(d.resolve("sub2"))),
        new Op("move a file out", NOTE_WRITE | NOTE_EXTEND,
            () -> Files.move(d.resolve("y"), other.resolve("y"), ATOMIC_MOVE)),
        new Op("move a file in", NOTE_WRITE | NOTE_EXTEND,
            () -> Files.move(other.resolve("y"), d.resolve("y"), ATOMIC_MOVE)),
        new Op("move a directory in", NOTE_WRITE | NOTE_EXTEND | NOTE_LINK,
            () -> Files.move(Files.createDirectory(other.resolve("s")), d.resolve("s"),
                ATOMIC_MOVE)),
        new Op("move a directory out", NOTE_WRITE | NOTE_EXTEND | NOTE_LINK,
            () -> Files.move(d.resolve("s"), other.resolve("s"), ATOMIC_MOVE)),
        new Op("symlink", NOTE_WRITE, () -> Files.createSymbolicLink(d.resolve("link"), outside)),
        new Op("hard link", NOTE_WRITE, () -> Files.createLink(d.resolve("hard"), outside)),
        new Op("remove a file", NOTE_WRITE, () -> Files.delete(d.resolve("hard"))),
        new Op("list the directory", NOTE_OPEN | NOTE_READ | NOTE_CLOSE, () -> {
          try (Stream<Path> entries = Files.list(at[0])) {
            entries.count();
          }
        }),
        new Op("chmod the directory", NOTE_ATTRIB,
            () -> Files.setPosixFilePermissions(at[0],
                PosixFilePermissions.fromString("rwx------"))),
        new Op("rename the directory", NOTE_RENAME,
            () -> at[0] = Files.move(at[0], other.resolve("d"), ATOMIC_MOVE))));
  }

  @Test
  void everyBitOfRmdirOfTheWatchedDirectory() throws Exception {
    Path sub = Files.createDirectory(dir.resolve("sub"));
    check(sub, List.of(new Op("rmdir", NOTE_DELETE, () -> Files.delete(sub))));
  }
}
