package io.kqueue4j.filters.fsevent;

import java.util.EnumSet;
import java.util.Set;

/**
 * {@code FSE_*}: the event types of XNU's {@code vfs_fsevents.c}, with XNU's numeric values ({@code
 * bsd/sys/fsevents.h}, xnu-7195) as {@link #code()}.
 *
 * <p>Which types a source can produce depends on the OS; {@link FsEventSource#supportedTypes()}
 * says. On Linux (inotify) these are {@link #CREATE_FILE}, {@link #CREATE_DIR}, {@link #DELETE},
 * {@link #RENAME}, {@link #CONTENT_MODIFIED}, {@link #STAT_CHANGED}, {@link #CHOWN}, {@link
 * #XATTR_MODIFIED}, {@link #XATTR_REMOVED} and {@link #EVENTS_DROPPED}; see docs/fsevent.md for how
 * each is derived.
 */
public enum FsEventType {
  /** {@code FSE_CREATE_FILE} (0): a file, symbolic link, device node, FIFO or hard link appeared. */
  CREATE_FILE(0, false),
  /** {@code FSE_DELETE} (1): a file or directory was removed, or moved out of the tree. */
  DELETE(1, false),
  /**
   * {@code FSE_STAT_CHANGED} (2): attributes other than ownership and permissions changed
   * (timestamps, link count); the catch-all when no finer type applies.
   */
  STAT_CHANGED(2, true),
  /** {@code FSE_RENAME} (3): renamed inside the tree; the event carries both paths. */
  RENAME(3, false),
  /** {@code FSE_CONTENT_MODIFIED} (4): the content was written or truncated. */
  CONTENT_MODIFIED(4, true),
  /** {@code FSE_EXCHANGE} (5): two paths swapped their objects ({@code exchangedata}). */
  EXCHANGE(5, false),
  /** {@code FSE_FINDER_INFO_CHANGED} (6): macOS Finder info; never produced elsewhere. */
  FINDER_INFO_CHANGED(6, true),
  /** {@code FSE_CREATE_DIR} (7): a directory appeared. */
  CREATE_DIR(7, false),
  /** {@code FSE_CHOWN} (8): owner, group or permission bits changed (chmod gives this too). */
  CHOWN(8, false),
  /** {@code FSE_XATTR_MODIFIED} (9): an extended attribute was set. */
  XATTR_MODIFIED(9, true),
  /** {@code FSE_XATTR_REMOVED} (10): an extended attribute was removed. */
  XATTR_REMOVED(10, true),
  /** {@code FSE_DOCID_CREATED} (11): Apple document-id tracking; never produced elsewhere. */
  DOCID_CREATED(11, false),
  /** {@code FSE_DOCID_CHANGED} (12): Apple document-id tracking; never produced elsewhere. */
  DOCID_CHANGED(12, false),
  /** {@code FSE_UNMOUNT_PENDING} (13): an iOS-family unmount notice; never produced elsewhere. */
  UNMOUNT_PENDING(13, false),
  /** {@code FSE_CLONE} (14): {@code clonefile}; never produced elsewhere. */
  CLONE(14, false),
  /**
   * {@code FSE_EVENTS_DROPPED} (999): the marker record that says events were lost (the watcher's
   * queue was full, or the OS source overflowed); the reader must rescan. Always delivered, whatever
   * the watcher asked for.
   */
  EVENTS_DROPPED(999, false);

  private final int code;
  private final boolean coalescable;

  FsEventType(int code, boolean coalescable) {
    this.code = code;
    this.coalescable = coalescable;
  }

  /** {@return XNU's {@code FSE_*} value of this type ({@code FSE_EVENTS_DROPPED} is 999)} */
  public int code() {
    return code;
  }

  /**
   * Whether identical events on one path may be merged inside the coalescing window. XNU exempts
   * {@code CREATE_FILE}, {@code DELETE}, {@code RENAME}, {@code EXCHANGE}, {@code CHOWN}, the
   * doc-id types and {@code CLONE} (vfs_fsevents.c, add_fsevent); kqueue4j also exempts {@code
   * CREATE_DIR}, which XNU lets coalesce, because merging two creates of one directory hides the
   * delete between them from a reader that rescans only on create.
   *
   * @return {@code true} when events of this type may be coalesced
   */
  public boolean isCoalescable() {
    return coalescable;
  }

  /**
   * The type with XNU value {@code code}, or null.
   *
   * @param code an {@code FSE_*} value
   * @return the type, or {@code null} when no type has that value
   */
  public static FsEventType ofCode(int code) {
    for (FsEventType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    return null;
  }

  /**
   * {@return every type a watcher may ask for (all but {@link #EVENTS_DROPPED}, which always
   * comes)}
   */
  public static Set<FsEventType> all() {
    return EnumSet.complementOf(EnumSet.of(EVENTS_DROPPED));
  }
}
