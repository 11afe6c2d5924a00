package io.kqueue4j.linux.vnode;

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
import static io.kqueue4j.linux.Inotify.IN_ACCESS;
import static io.kqueue4j.linux.Inotify.IN_ATTRIB;
import static io.kqueue4j.linux.Inotify.IN_CLOSE_NOWRITE;
import static io.kqueue4j.linux.Inotify.IN_CLOSE_WRITE;
import static io.kqueue4j.linux.Inotify.IN_CREATE;
import static io.kqueue4j.linux.Inotify.IN_DELETE;
import static io.kqueue4j.linux.Inotify.IN_DELETE_SELF;
import static io.kqueue4j.linux.Inotify.IN_ISDIR;
import static io.kqueue4j.linux.Inotify.IN_MODIFY;
import static io.kqueue4j.linux.Inotify.IN_MOVED_FROM;
import static io.kqueue4j.linux.Inotify.IN_MOVED_TO;
import static io.kqueue4j.linux.Inotify.IN_MOVE_SELF;
import static io.kqueue4j.linux.Inotify.IN_OPEN;

import io.kqueue4j.filters.vnode.VnodeState;
import java.util.HashMap;
import java.util.Map;

/**
 * How inotify's events, together with {@code stat} before and after them, become FreeBSD's {@code
 * EVFILT_VNODE} bits: the one mapping used by the source and by the test that checks it against
 * {@code inotifywait}. See the package documentation for the table.
 */
final class InotifyNotes {
  /** Events on the entries of a watched directory. */
  static final int ENTRY_EVENTS = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO;

  /** Always watched on a file: what its size, link count and attributes depend on. */
  static final int FILE_EVENTS = IN_MODIFY | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF;

  /** Always watched on a directory. */
  static final int DIRECTORY_EVENTS = IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF | ENTRY_EVENTS;

  /**
   * The bits that {@link #notes} derives from the state before and after a read (link count, size,
   * mode and owner): while no knote of an object asks for one of them, its events alone give every
   * bit asked for, and the source need not {@code fstat} it.
   */
  static final int STATE_NOTES = NOTE_DELETE | NOTE_LINK | NOTE_ATTRIB | NOTE_EXTEND;

  private InotifyNotes() {}

  /**
   * The inotify mask for an object whose knotes ask for {@code notes}: the events that keep its
   * state known, plus the noisy access events only when asked for.
   */
  static int mask(boolean directory, int notes) {
    int mask = directory ? DIRECTORY_EVENTS : FILE_EVENTS;
    if ((notes & NOTE_OPEN) != 0) {
      mask |= IN_OPEN;
    }
    if ((notes & NOTE_CLOSE) != 0) {
      mask |= IN_CLOSE_NOWRITE;
    }
    if ((notes & NOTE_CLOSE_WRITE) != 0) {
      mask |= IN_CLOSE_WRITE;
    }
    if ((notes & NOTE_READ) != 0) {
      mask |= IN_ACCESS;
    }
    return mask;
  }

  /** What the events of one read say about one watched object. Not thread-safe. */
  static final class Changes {
    /** {@code IN_*} bits of events on the object itself. */
    int self;
    /** {@code IN_*} entry bits of events on entries of a watched directory. */
    int entries;
    /** {@code NOTE_*} bits the entry events imply beyond {@code NOTE_WRITE}. */
    int notes;
    /** Number of {@code IN_ATTRIB} events on the object itself (after the kernel's merging). */
    int attribEvents;
    /** A directory was moved in from another directory. */
    boolean directoryMovedIn;
    /** A subdirectory was removed: watched subdirectories must be checked for deletion. */
    boolean subdirectoryRemoved;

    boolean isEmpty() {
      return self == 0 && entries == 0 && notes == 0 && !directoryMovedIn && !subdirectoryRemoved;
    }

    void clear() {
      self = 0;
      entries = 0;
      notes = 0;
      attribEvents = 0;
      directoryMovedIn = false;
      subdirectoryRemoved = false;
    }

    /**
     * Records one event on this object: {@code named} when it is about an entry of this directory
     * rather than the object itself. The entries' own events (a child's {@code IN_ATTRIB}, {@code
     * IN_MODIFY}, ...) are not the directory's and are ignored.
     */
    void record(int mask, boolean named, int cookie, Moves moves) {
      if (!named) {
        self |= mask;
        if ((mask & IN_ATTRIB) != 0) {
          attribEvents++;
        }
        return;
      }
      int entry = mask & ENTRY_EVENTS;
      if (entry == 0) {
        return;
      }
      entries |= entry;
      boolean isDir = (mask & IN_ISDIR) != 0;
      if (isDir && (mask & (IN_CREATE | IN_DELETE)) != 0) {
        notes |= NOTE_LINK; // mkdir, rmdir: vop_mkdir_post, vop_rmdir_post
      }
      if (isDir && (mask & IN_DELETE) != 0) {
        subdirectoryRemoved = true;
      }
      if ((mask & IN_MOVED_FROM) != 0) {
        moves.from(this, cookie, isDir);
      }
      if ((mask & IN_MOVED_TO) != 0) {
        moves.to(this, cookie, isDir);
      }
    }
  }

  /**
   * Pairs {@code IN_MOVED_FROM} with {@code IN_MOVED_TO} by cookie within one read, to tell a rename
   * inside one directory ({@code NOTE_WRITE}) from one across directories, which FreeBSD's {@code
   * vop_rename_post} reports on both directories as {@code NOTE_WRITE|NOTE_EXTEND}, plus {@code
   * NOTE_LINK} when a directory moved (on the target only when it replaced no directory).
   */
  static final class Moves {
    private record Pending(Changes directory, boolean isDir) {}

    private final Map<Integer, Pending> pending = new HashMap<>();

    void from(Changes directory, int cookie, boolean isDir) {
      Pending old = pending.put(cookie, new Pending(directory, isDir));
      if (old != null) {
        movedOut(old);
      }
    }

    void to(Changes directory, int cookie, boolean isDir) {
      Pending from = pending.remove(cookie);
      if (from != null && from.directory == directory) {
        return; // within one directory
      }
      directory.notes |= NOTE_EXTEND;
      directory.directoryMovedIn |= isDir;
      if (from != null) {
        movedOut(from);
      }
    }

    /** Whether an {@code IN_MOVED_FROM} waits for its {@code IN_MOVED_TO}. */
    boolean isPending() {
      return !pending.isEmpty();
    }

    /** The end of a read: an unpaired {@code IN_MOVED_FROM} went to an unwatched directory. */
    void finish() {
      pending.values().forEach(Moves::movedOut);
      pending.clear();
    }

    private static void movedOut(Pending from) {
      from.directory.notes |= NOTE_EXTEND | (from.isDir ? NOTE_LINK : 0);
    }
  }

  /**
   * The {@code NOTE_*} bits for {@code changes} on an object whose state went from {@code before}
   * to {@code after} (either null when {@code fstat} failed).
   */
  static int notes(boolean directory, Changes changes, VnodeState before, VnodeState after) {
    int in = changes.self;
    int notes = changes.notes;
    if ((in & IN_OPEN) != 0) {
      notes |= NOTE_OPEN;
    }
    if ((in & IN_CLOSE_NOWRITE) != 0) {
      notes |= NOTE_CLOSE;
    }
    if ((in & IN_CLOSE_WRITE) != 0) {
      notes |= NOTE_CLOSE_WRITE;
    }
    if ((in & IN_ACCESS) != 0) {
      notes |= NOTE_READ;
    }
    if ((in & IN_MOVE_SELF) != 0) {
      notes |= NOTE_RENAME;
    }
    if ((in & IN_DELETE_SELF) != 0) {
      notes |= NOTE_DELETE;
    }
    if (changes.entries != 0) {
      notes |= NOTE_WRITE;
    }
    if (!directory && (in & IN_MODIFY) != 0) {
      notes |= NOTE_WRITE;
    }
    if (before == null || after == null) {
      if ((in & IN_ATTRIB) != 0) {
        notes |= NOTE_ATTRIB;
      }
      return notes;
    }
    int links = after.nlink() - before.nlink();
    if (links != 0) {
      if (directory) {
        notes |= after.nlink() == 0 ? NOTE_DELETE : NOTE_LINK;
      } else {
        notes |= links < 0 ? NOTE_DELETE : NOTE_LINK;
      }
    }
    if (changes.directoryMovedIn && (links != 0 || after.nlink() == 1)) {
      notes |= NOTE_LINK; // a file system without directory link counts (btrfs) has nlink 1
    }
    if (after.mode() != before.mode() || after.uid() != before.uid()
        || after.gid() != before.gid()) {
      notes |= NOTE_ATTRIB;
    }
    if (!directory) {
      if (after.size() > before.size()) {
        notes |= NOTE_WRITE | NOTE_EXTEND;
      } else if (after.size() < before.size()) {
        notes |= NOTE_WRITE | NOTE_ATTRIB; // a truncation: FreeBSD's setattr says NOTE_ATTRIB
      }
    }
    if ((in & IN_ATTRIB) != 0) {
      // each link count change is one IN_ATTRIB; more events, or new times without a write,
      // mean that attributes changed too
      boolean touched = after.mtimeNanos() != before.mtimeNanos() && (in & IN_MODIFY) == 0
          && changes.entries == 0;
      if (links == 0 || touched || changes.attribEvents > Math.abs(links)) {
        notes |= NOTE_ATTRIB;
      }
    }
    return notes;
  }
}
