package io.kqueue4j.linux.fsevent;

import java.util.HashMap;

/**
 * A directory of a fanotify-watched tree, found by the handle fanotify reports for it: its place
 * (parent and name) kept current from the events in order, so that an event's directory handle
 * becomes a path without asking the file system. Files are not kept. Confined to the tree's lock.
 */
final class FanotifyDir {
  /** The containing directory; null for a root. */
  FanotifyDir parent;
  /** The entry name; for a root, its absolute path. */
  String name;
  /** For a root: its index in the watcher's roots; -1 otherwise. */
  final int root;
  final FanotifyHandle handle;
  /** Found by the start-up walk: a later create event for it is genuine and reported. */
  boolean baseline;
  /** Deleted, moved out of the tree, or replaced by a resync. */
  boolean dead;
  /**
   * Subdirectories by name, kept only where events lack the object's handle (before Linux 5.17):
   * there a deleted or moved directory is found by its old name.
   */
  HashMap<String, FanotifyDir> subdirs;

  FanotifyDir(FanotifyDir parent, String name, int root, FanotifyHandle handle) {
    this.parent = parent;
    this.name = name;
    this.root = root;
    this.handle = handle;
  }

  FanotifyDir subdir(String entry) {
    return subdirs == null ? null : subdirs.get(entry);
  }

  /** The root above this directory, or null when it is no longer inside a live root. */
  FanotifyDir top() {
    FanotifyDir d = this;
    while (d.parent != null) {
      if (d.dead) {
        return null;
      }
      d = d.parent;
    }
    return d.dead || d.root < 0 ? null : d;
  }

  /** The path relative to the root, {@code '/'}-separated; empty for a root. */
  String relative() {
    if (parent == null) {
      return "";
    }
    if (parent.parent == null) {
      return name;
    }
    StringBuilder b = new StringBuilder(name);
    for (FanotifyDir d = parent; d.parent != null; d = d.parent) {
      b.insert(0, '/').insert(0, d.name);
    }
    return b.toString();
  }

  /** The relative path of entry {@code entry} of this directory. */
  String relative(String entry) {
    String r = relative();
    return r.isEmpty() ? entry : r + "/" + entry;
  }
}
