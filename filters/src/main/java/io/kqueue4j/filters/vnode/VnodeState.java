package io.kqueue4j.filters.vnode;

import static io.kqueue4j.KEvent.NOTE_ATTRIB;
import static io.kqueue4j.KEvent.NOTE_DELETE;
import static io.kqueue4j.KEvent.NOTE_EXTEND;
import static io.kqueue4j.KEvent.NOTE_LINK;
import static io.kqueue4j.KEvent.NOTE_RENAME;
import static io.kqueue4j.KEvent.NOTE_WRITE;

/**
 * What {@code stat} tells of a watched object at one moment, and the {@code NOTE_*} bits that a
 * change between two such moments stands for: how a source that sees states rather than events
 * (the polling fallback, or the inotify source after its queue overflowed) reports changes.
 *
 * @param dev {@code st_dev}
 * @param ino {@code st_ino}
 * @param mode {@code st_mode}, type and permission bits
 * @param nlink {@code st_nlink}
 * @param uid {@code st_uid}
 * @param gid {@code st_gid}
 * @param size {@code st_size}
 * @param mtimeNanos {@code st_mtim} in nanoseconds since the epoch
 * @param ctimeNanos {@code st_ctim} in nanoseconds since the epoch
 * @param location where the object is linked, as its name and its parent directory's device and
 *     inode (see {@link #location(long, long, String)}), or {@code null} when unknown or deleted:
 *     unlike a path, it does not change when an ancestor directory is renamed
 */
public record VnodeState(long dev, long ino, int mode, int nlink, int uid, int gid, long size,
    long mtimeNanos, long ctimeNanos, String location) {

  private static final int S_IFMT = 0170000;
  private static final int S_IFDIR = 0040000;

  /**
   * Whether the object is a directory.
   *
   * @return {@code true} when {@code mode}'s type bits are {@code S_IFDIR}
   */
  public boolean isDirectory() {
    return (mode & S_IFMT) == S_IFDIR;
  }

  /**
   * The {@code location} of an object named {@code name} in the directory {@code (dev, ino)}.
   *
   * @param parentDev the directory's {@code st_dev}
   * @param parentIno the directory's {@code st_ino}
   * @param name the object's name in that directory
   * @return the location, {@code "dev:ino/name"}
   */
  public static String location(long parentDev, long parentIno, String name) {
    return parentDev + ":" + parentIno + "/" + name;
  }

  /**
   * This state with {@code location} replaced.
   *
   * @param location the new location, or {@code null} when unknown
   * @return a copy of this state with that location
   */
  public VnodeState withLocation(String location) {
    return new VnodeState(dev, ino, mode, nlink, uid, gid, size, mtimeNanos, ctimeNanos, location);
  }

  /**
   * The {@code NOTE_*} bits that explain the change from {@code before} to this state, reporting a
   * change rather than missing one where two explanations fit:
   *
   * <ul>
   *   <li>{@code st_nlink}: on a file, fewer links is {@code NOTE_DELETE} (FreeBSD posts it on
   *       every remove of a name, and on a file replaced by a rename) and more is {@code
   *       NOTE_LINK}; on a directory, 0 is {@code NOTE_DELETE} and any other change {@code
   *       NOTE_LINK} (a subdirectory came or went).
   *   <li>A file's size: growth is {@code NOTE_WRITE|NOTE_EXTEND}; shrinking is a truncation,
   *       {@code NOTE_WRITE|NOTE_ATTRIB}; a new {@code st_mtime} at the same size is a write in
   *       place or a {@code utimes}, which a state cannot tell apart: {@code NOTE_WRITE|NOTE_ATTRIB}.
   *   <li>A directory's {@code st_mtime} or size: entries changed, {@code NOTE_WRITE}; except a
   *       size change on a removed directory, which is the removal itself (ext4's {@code rmdir}
   *       sets the size to 0 and leaves {@code st_mtime} as it was).
   *   <li>Mode, owner or group: {@code NOTE_ATTRIB}; a new {@code st_ctime} that nothing above
   *       explains (extended attributes, for instance): {@code NOTE_ATTRIB}.
   *   <li>Another {@code location}: {@code NOTE_RENAME}.
   * </ul>
   *
   * @param before the earlier state of the same object
   * @return the {@code NOTE_*} bits of the change, 0 when none is seen
   */
  public int notesSince(VnodeState before) {
    int notes = 0;
    boolean directory = isDirectory();
    if (nlink != before.nlink) {
      if (directory) {
        notes |= nlink == 0 ? NOTE_DELETE : NOTE_LINK;
      } else {
        notes |= nlink < before.nlink ? NOTE_DELETE : NOTE_LINK;
      }
    }
    if (directory) {
      if (mtimeNanos != before.mtimeNanos || (size != before.size && nlink != 0)) {
        notes |= NOTE_WRITE;
      }
    } else if (size > before.size) {
      notes |= NOTE_WRITE | NOTE_EXTEND;
    } else if (size < before.size) {
      notes |= NOTE_WRITE | NOTE_ATTRIB;
    } else if (mtimeNanos != before.mtimeNanos) {
      notes |= NOTE_WRITE | NOTE_ATTRIB;
    }
    if (mode != before.mode || uid != before.uid || gid != before.gid) {
      notes |= NOTE_ATTRIB;
    }
    boolean renamed =
        location != null && before.location != null && !location.equals(before.location);
    if (renamed) {
      notes |= NOTE_RENAME;
    }
    if (ctimeNanos != before.ctimeNanos && notes == 0) {
      notes |= NOTE_ATTRIB;
    }
    return notes;
  }
}
