package io.kqueue4j.bsd.fsevent;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One object of a watched tree: a directory (with its entries as last listed) or any other entry.
 * A node carries the descriptor of its {@code EVFILT_VNODE} knote when it is watched, and is that
 * knote's udata. Guarded by its tree's lock.
 */
final class Node {
  final VnodeTree tree;
  final int root;
  /** Null for a root. */
  Node parent;
  /** The entry's name; a root's absolute path. */
  String name;
  Stat stat;
  /** The watched descriptor, or -1. */
  int fd = -1;
  /** The entries as last listed, for a directory; null otherwise. */
  final Map<String, Node> children;
  /** False once the node left the tree. */
  boolean live = true;

  Node(VnodeTree tree, int root, Node parent, String name, Stat stat, boolean directory) {
    this.tree = tree;
    this.root = root;
    this.parent = parent;
    this.name = name;
    this.stat = stat;
    this.children = directory ? new HashMap<>() : null;
  }

  boolean isDirectory() {
    return children != null;
  }

  /** The current path, from the names along the parent chain. */
  Path path() {
    return parent == null ? Path.of(name) : parent.path().resolve(name);
  }

  /** The path relative to the root, {@code '/'}-separated; empty for the root. */
  String relative() {
    if (parent == null) {
      return "";
    }
    String p = parent.relative();
    return p.isEmpty() ? name : p + "/" + name;
  }

  /** Whether an ancestor is the same directory (a bind mount of an ancestor, a loop). */
  boolean loops() {
    for (Node a = parent; a != null; a = a.parent) {
      if (a.stat != null && stat != null && a.stat.dev() == stat.dev() && a.stat.ino() == stat.ino()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "Node[" + relative() + ", fd=" + fd + "]";
  }
}
