package io.kqueue4j.filters.vnode;

import static io.kqueue4j.KEvent.NOTE_ATTRIB;
import static io.kqueue4j.KEvent.NOTE_DELETE;
import static io.kqueue4j.KEvent.NOTE_EXTEND;
import static io.kqueue4j.KEvent.NOTE_LINK;
import static io.kqueue4j.KEvent.NOTE_RENAME;
import static io.kqueue4j.KEvent.NOTE_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * {@link VnodeState#notesSince}: the bits a source that sees only states (the polling fallback, the
 * inotify source after a queue overflow) reports for each kind of change.
 */
class VnodeStateTest {
  private static final int FILE = 0100644;
  private static final int DIRECTORY = 0040755;
  private static final String HERE = VnodeState.location(1, 2, "f");

  private static VnodeState file(int nlink, long size, long mtime, long ctime) {
    return new VnodeState(1, 10, FILE, nlink, 1000, 1000, size, mtime, ctime, HERE);
  }

  private static VnodeState directory(int nlink, long size, long mtime) {
    return new VnodeState(1, 11, DIRECTORY, nlink, 1000, 1000, size, mtime, mtime, HERE);
  }

  private static void check(int expected, VnodeState after, VnodeState before) {
    assertEquals(VnodeNotes.toString(expected), VnodeNotes.toString(after.notesSince(before)));
  }

  @Test
  void fileContentAndSize() {
    VnodeState before = file(1, 10, 100, 100);
    check(0, before, before);
    check(NOTE_WRITE | NOTE_EXTEND, file(1, 11, 200, 200), before);
    check(NOTE_WRITE | NOTE_ATTRIB, file(1, 5, 200, 200), before);
    check(NOTE_WRITE | NOTE_ATTRIB, file(1, 10, 200, 200), before);
  }

  @Test
  void fileLinkCount() {
    VnodeState before = file(2, 10, 100, 100);
    check(NOTE_LINK, file(3, 10, 100, 200), before);
    check(NOTE_DELETE, file(1, 10, 100, 200), before);
    check(NOTE_DELETE, file(0, 10, 100, 200), before);
  }

  @Test
  void attributesAndName() {
    VnodeState before = file(1, 10, 100, 100);
    VnodeState chmod = new VnodeState(1, 10, 0100600, 1, 1000, 1000, 10, 100, 200, HERE);
    check(NOTE_ATTRIB, chmod, before);
    VnodeState chown = new VnodeState(1, 10, FILE, 1, 1001, 1000, 10, 100, 200, HERE);
    check(NOTE_ATTRIB, chown, before);
    check(NOTE_ATTRIB, file(1, 10, 100, 200), before); // ctime alone: an xattr, for instance
    check(NOTE_RENAME, file(1, 10, 100, 200).withLocation(VnodeState.location(1, 3, "f")), before);
    check(0, file(1, 10, 100, 100).withLocation(null), before); // location unknown: no guess
  }

  @Test
  void directoryEntriesAndSubdirectories() {
    VnodeState before = directory(2, 4096, 100);
    check(NOTE_WRITE, directory(2, 4096, 200), before);
    check(NOTE_WRITE | NOTE_LINK, directory(3, 4096, 200), before);
    check(NOTE_WRITE | NOTE_LINK, directory(2, 4096, 300), directory(3, 4096, 200));
    check(NOTE_DELETE, directory(0, 4096, 100), before);
    check(NOTE_DELETE, directory(0, 0, 100), before);
    check(NOTE_DELETE | NOTE_WRITE, directory(0, 0, 200), before);
  }
}
