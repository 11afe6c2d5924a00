package io.kqueue4j.linux.fsevent;

import io.kqueue4j.linux.FileStat;
import java.util.HashMap;

/**
 * One entry of a watched tree, with the attributes last seen: what a delete or the source of a
 * rename reports, and what {@code IN_ATTRIB} is compared with. Directories also hold their watch
 * descriptor and their entries. Confined to the tree's lock.
 */
final class Node {
  /** The containing directory; null for a root. */
  Node parent;
  /** The entry name; for a root, its absolute path. */
  String name;
  /** For a root: its index in the watcher's roots. */
  int root;

  long dev;
  long ino;
  long mtime;
  int mode;
  int uid;
  int gid;
  int nlink;
  /** The sorted extended attribute names, NUL-separated; null when never read. */
  String xattrs;

  /** The watch descriptor, -1 when the directory is not watched. */
  int wd = -1;
  /** Entries by name; directories only, created on the first entry. */
  HashMap<String, Node> children;

  /** Found by the start-up scan and not announced; a later {@code IN_CREATE} for it is genuine. */
  boolean baseline;
  /** A directory whose entries are new: its scan reports them as creates. */
  boolean announceContents;
  /** Written since the attributes were read: {@link #mtime} is not to be compared. */
  boolean mtimeStale;
  /** Removed from the tree (deleted, moved out, or its tree closed). */
  boolean dead;

  Node(Node parent, String name) {
    this.parent = parent;
    this.name = name;
  }

  void set(FileStat st) {
    if (st == null) {
      return;
    }
    dev = st.dev();
    ino = st.ino();
    mode = st.mode();
    uid = st.uid();
    gid = st.gid();
    nlink = st.nlink();
    mtime = st.mtimeNanos();
    mtimeStale = false;
  }

  boolean isDirectory() {
    return (mode & FileStat.S_IFMT) == FileStat.S_IFDIR;
  }

  Node child(String entry) {
    return children == null ? null : children.get(entry);
  }

  void put(Node child) {
    if (children == null) {
      children = new HashMap<>(4);
    }
    child.parent = this;
    children.put(child.name, child);
  }

  Node remove(String entry) {
    return children == null ? null : children.remove(entry);
  }

  /** The root node above this one. */
  Node top() {
    Node n = this;
    while (n.parent != null) {
      n = n.parent;
    }
    return n;
  }

  /** The path relative to the root, {@code '/'}-separated; empty for a root. */
  String relative() {
    if (parent == null) {
      return "";
    }
    if (parent.parent == null) {
      return name;
    }
    int depth = 0;
    int length = -1;
    for (Node n = this; n.parent != null; n = n.parent) {
      depth++;
      length += n.name.length() + 1;
    }
    char[] out = new char[length];
    int end = length;
    for (Node n = this; n.parent != null; n = n.parent) {
      int start = end - n.name.length();
      n.name.getChars(0, n.name.length(), out, start);
      end = start - 1;
      if (end >= 0) {
        out[end] = '/';
      }
    }
    return new String(out);
  }

  /** The relative path of entry {@code entry} of this directory. */
  String relative(String entry) {
    String r = relative();
    return r.isEmpty() ? entry : r + "/" + entry;
  }

  /** The absolute path as a string. */
  String absolute() {
    Node top = top();
    String r = relative();
    return r.isEmpty() ? top.name : top.name.endsWith("/") ? top.name + r : top.name + "/" + r;
  }
}
