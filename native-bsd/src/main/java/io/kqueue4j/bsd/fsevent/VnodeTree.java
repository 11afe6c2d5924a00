package io.kqueue4j.bsd.fsevent;

import static io.kqueue4j.KEvent.EV_EOF;
import static io.kqueue4j.KEvent.NOTE_ATTRIB;
import static io.kqueue4j.KEvent.NOTE_DELETE;
import static io.kqueue4j.KEvent.NOTE_EXTEND;
import static io.kqueue4j.KEvent.NOTE_LINK;
import static io.kqueue4j.KEvent.NOTE_RENAME;
import static io.kqueue4j.KEvent.NOTE_REVOKE;
import static io.kqueue4j.KEvent.NOTE_WRITE;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.fsevent.FsEvent;
import io.kqueue4j.filters.fsevent.FsEventSink;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatch;
import io.kqueue4j.filters.fsevent.FsWatchSpec;
import io.kqueue4j.filters.fsevent.StartupProgress;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One watcher's trees, kept by {@code EVFILT_VNODE} knotes: one per directory, and one per regular
 * file when content or attribute events are wanted.
 *
 * <p>A directory's {@code NOTE_WRITE}, {@code NOTE_EXTEND} or {@code NOTE_LINK} makes it
 * <em>dirty</em>. At the end of a batch every dirty directory is listed again and compared with its
 * last listing: a name whose object (device, inode, type, birth time) is gone was removed, a name
 * with a new object was added. An added object that was removed elsewhere in the same batch, in the
 * same root, is a {@link FsEventType#RENAME} (the node keeps its knote and subtree); the rest are
 * deletes (with every entry known below a directory, deepest first) and creates. A new directory is
 * watched before it is listed, so that nothing created in it afterwards is missed; whatever the
 * listing finds is reported as created. The root's {@code NOTE_DELETE}, {@code NOTE_RENAME} or
 * {@code NOTE_REVOKE} is the root going away.
 *
 * <p>Guarded by {@link #lock}: the starting thread and the loop's thread call the sink one at a
 * time.
 */
final class VnodeTree implements FsWatch {
  private static final System.Logger LOG = System.getLogger(VnodeTree.class.getName());
  private static final int DIR_NOTES =
      NOTE_WRITE | NOTE_EXTEND | NOTE_LINK | NOTE_DELETE | NOTE_RENAME | NOTE_REVOKE;
  private static final int GONE = NOTE_DELETE | NOTE_RENAME | NOTE_REVOKE;

  private final FsWatchSpec spec;
  private final FsEventSink sink;
  private final KQueueLoop loop;
  private final Runnable onClose;
  private final ReentrantLock lock = new ReentrantLock();
  private final List<Node> roots = new ArrayList<>();
  private final boolean watchFiles;
  private final boolean wantAttributes;
  private final int dirNotes;
  private final int fileNotes;
  private boolean starting;
  private boolean closed;
  private long watchedDirs;
  private long watchedObjects;
  private long entries;
  private long skipped;
  private boolean lossLogged;
  private long t0;
  private long lastProgress;

  VnodeTree(FsWatchSpec spec, FsEventSink sink, KQueueLoop loop, Runnable onClose) {
    this.spec = spec;
    this.sink = sink;
    this.loop = loop;
    this.onClose = onClose;
    boolean content = spec.types().contains(FsEventType.CONTENT_MODIFIED);
    this.wantAttributes =
        spec.types().contains(FsEventType.STAT_CHANGED) || spec.types().contains(FsEventType.CHOWN);
    this.watchFiles = content || wantAttributes;
    this.dirNotes = DIR_NOTES | (wantAttributes ? NOTE_ATTRIB : 0);
    this.fileNotes = (content ? NOTE_WRITE | NOTE_EXTEND : 0)
        | (wantAttributes ? NOTE_ATTRIB | NOTE_LINK : 0);
  }

  /** Watches every root and everything below; returns when all is watched. */
  void start() throws IOException {
    lock.lock();
    try {
      starting = true;
      t0 = System.nanoTime();
      for (int i = 0; i < spec.roots().size(); i++) {
        Path path = spec.roots().get(i);
        Stat stat = Stat.of(path.toRealPath());
        if (stat == null || !stat.isDirectory()) {
          throw new NoSuchFileException(path.toString(), null, "watcher root disappeared");
        }
        Node root = new Node(this, i, null, path.toString(), stat, true);
        roots.add(root);
        if (!watch(root)) {
          throw new KQueueException("open", Errno.EACCES, "cannot watch root " + path);
        }
        populate(root, false);
      }
      spec.progress().progress(watchedDirs, entries, System.nanoTime() - t0, true);
      if (skipped > 0) {
        LOG.log(Level.INFO, "kqueue-vnode: " + skipped + " entries could not be watched (no"
            + " access) and are skipped");
      }
      sink.flush();
    } finally {
      starting = false;
      lock.unlock();
    }
  }

  @Override
  public long watchedDirectories() {
    lock.lock();
    try {
      return watchedDirs;
    } finally {
      lock.unlock();
    }
  }

  /** The number of descriptors this tree holds open. */
  long watchedObjects() {
    lock.lock();
    try {
      return watchedObjects;
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- watching

  /**
   * Opens {@code node} and registers its knote. False when it cannot be watched and that is no
   * loss (it is gone, or not accessible); a lack of descriptors or watches fails the start-up, and
   * later is reported as a loss.
   */
  private boolean watch(Node node) throws KQueueException {
    int notes = node.isDirectory() ? dirNotes : fileNotes;
    try {
      node.fd = loop.opener.open(node.path(), node.parent == null);
    } catch (KQueueException e) {
      return refused(node, e);
    }
    try {
      loop.watch(node, notes);
    } catch (KQueueException e) {
      loop.opener.close(node.fd);
      node.fd = -1;
      return refused(node, e);
    }
    watchedObjects++;
    if (node.isDirectory()) {
      watchedDirs++;
    }
    return true;
  }

  private boolean refused(Node node, KQueueException e) throws KQueueException {
    int errno = e.errno();
    if (errno == Errno.ENOENT || errno == Errno.ENOTDIR || errno == Errno.ELOOP) {
      return false; // gone already: its parent's event follows
    }
    if (errno == Errno.EMFILE || errno == Errno.ENFILE || errno == Errno.ENOSPC
        || errno == Errno.ENOMEM) {
      String what = "kqueue-vnode watches each directory"
          + (watchFiles ? " and each regular file (content or attribute events are wanted)" : "")
          + " with one open descriptor; " + watchedObjects + " are open and " + node.path()
          + " cannot be watched: " + e.getMessage()
          + ". Raise the descriptor limit (ulimit -n; kern.maxfiles and kern.maxfilesperproc on"
          + " the BSDs), watch fewer types (files are not opened without CONTENT_MODIFIED,"
          + " STAT_CHANGED and CHOWN) or a smaller tree";
      if (starting) {
        throw new KQueueException("open", errno, what, e);
      }
      if (!lossLogged) {
        lossLogged = true;
        LOG.log(Level.WARNING, what + "; changes below it are lost (reported by a drop marker)");
      }
      sink.dropped();
      return false;
    }
    if (node.parent == null) {
      throw e;
    }
    skipped++;
    return false;
  }

  /** Deletes the knotes of {@code node} and everything below, and closes their descriptors. */
  private void forget(Node node, boolean report) {
    ArrayDeque<Node> stack = new ArrayDeque<>();
    List<Node> order = new ArrayList<>();
    stack.push(node);
    while (!stack.isEmpty()) {
      Node n = stack.pop();
      order.add(n);
      if (n.isDirectory()) {
        stack.addAll(n.children.values());
      }
    }
    for (int i = order.size() - 1; i >= 0; i--) {
      Node n = order.get(i);
      if (report) {
        report(FsEventType.DELETE, n, null);
      }
      if (n.fd >= 0) {
        watchedObjects--;
        if (n.isDirectory()) {
          watchedDirs--;
        }
      }
      loop.unwatch(n);
      n.live = false;
    }
  }

  /**
   * Lists {@code top} and every new directory below it, watching each before listing it; every
   * entry found is reported as created when {@code announce}.
   */
  private void populate(Node top, boolean announce) throws IOException {
    ArrayDeque<Node> todo = new ArrayDeque<>();
    todo.push(top);
    while (!todo.isEmpty()) {
      Node dir = todo.pop();
      Map<String, Stat> listing = list(dir);
      if (listing == null) {
        continue;
      }
      for (Map.Entry<String, Stat> e : listing.entrySet()) {
        entries++;
        if (dir.children.containsKey(e.getKey())) {
          continue;
        }
        Node child = adopt(dir, e.getKey(), e.getValue(), announce);
        if (child != null && child.isDirectory() && child.fd >= 0) {
          todo.push(child);
        }
      }
      if (starting && watchedDirs - lastProgress >= StartupProgress.INTERVAL_DIRECTORIES) {
        lastProgress = watchedDirs;
        spec.progress().progress(watchedDirs, entries, System.nanoTime() - t0, false);
      }
    }
  }

  /** Adds entry {@code name} of {@code dir}: known, reported when {@code announce}, watched. */
  private Node adopt(Node dir, String name, Stat stat, boolean announce) throws KQueueException {
    Node child = new Node(this, dir.root, dir, name, stat, stat.isDirectory());
    dir.children.put(name, child);
    if (sink.excludesDevice(stat.dev())) {
      return child; // known, so never announced, but neither watched nor reported
    }
    if (announce) {
      report(stat.isDirectory() ? FsEventType.CREATE_DIR : FsEventType.CREATE_FILE, child, null);
    }
    if (stat.isDirectory() ? !child.loops() : watchFiles && stat.isRegularFile()) {
      watch(child);
    }
    return child;
  }

  /** The entries of {@code dir} now, or null when it cannot be listed (gone, moved, no access). */
  private static Map<String, Stat> list(Node dir) throws IOException {
    Map<String, Stat> out = new LinkedHashMap<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir.path())) {
      for (Path child : stream) {
        Stat stat = Stat.of(child);
        if (stat != null) {
          out.put(child.getFileName().toString(), stat);
        }
      }
    } catch (NoSuchFileException | NotDirectoryException | java.nio.file.AccessDeniedException e) {
      return null;
    }
    return out;
  }

  private void report(FsEventType type, Node node, String destination) {
    Stat s = node.stat;
    sink.event(type, node.root, node.relative(), destination, s.dev(), s.ino(), s.mode(), s.uid(),
        s.gid(), node.isDirectory() ? FsEvent.IS_DIR : 0);
  }

  // ---------------------------------------------------------------- events

  /** Handles one batch of this tree's knote events; on the loop's thread. */
  void handle(List<KEvent> events) {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      Set<Node> dirty = new LinkedHashSet<>();
      Map<Node, Integer> attributes = new LinkedHashMap<>();
      List<Node> rootsGone = new ArrayList<>();
      for (KEvent ev : events) {
        Node n = (Node) ev.udata();
        if (!n.live) {
          continue;
        }
        int ff = ev.fflags();
        boolean eof = (ev.flags() & EV_EOF) != 0;
        if (n.parent == null && (eof || (ff & GONE) != 0)) {
          rootsGone.add(n);
        } else if (eof || (ff & NOTE_REVOKE) != 0) {
          unmounted(n, dirty); // its knote is gone: forget it, and let the parent's rescan redo it
        } else if (n.isDirectory()) {
          if ((ff & (NOTE_WRITE | NOTE_EXTEND | NOTE_LINK)) != 0) {
            dirty.add(n);
          }
          if ((ff & (NOTE_DELETE | NOTE_RENAME)) != 0) {
            dirty.add(n.parent);
          }
          if ((ff & NOTE_ATTRIB) != 0) {
            attributes.merge(n, ff, (a, b) -> a | b);
          }
        } else {
          attributes.merge(n, ff, (a, b) -> a | b);
        }
      }
      for (Map.Entry<Node, Integer> e : attributes.entrySet()) {
        fileChanged(e.getKey(), e.getValue());
      }
      rescan(dirty);
      for (Node root : rootsGone) {
        rootGone(root);
      }
      sink.flush();
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "kqueue-vnode: a change could not be followed; reported as a loss",
          e);
      sink.dropped();
      sink.flush();
    } finally {
      lock.unlock();
    }
  }

  /** The loop could not read its queue: every tree reports a loss. */
  void lost() {
    lock.lock();
    try {
      if (!closed) {
        sink.dropped();
        sink.flush();
      }
    } finally {
      lock.unlock();
    }
  }

  private void unmounted(Node n, Set<Node> dirty) {
    sink.dropped();
    if (n.parent.children.get(n.name) == n) {
      n.parent.children.remove(n.name);
    }
    forget(n, false);
    dirty.add(n.parent);
  }

  private void fileChanged(Node n, int ff) throws IOException {
    if (!n.live) {
      return;
    }
    if (!n.isDirectory() && (ff & (NOTE_WRITE | NOTE_EXTEND)) != 0) {
      report(FsEventType.CONTENT_MODIFIED, n, null);
    }
    if ((ff & (NOTE_ATTRIB | NOTE_LINK)) != 0) {
      Stat now = Stat.of(n.path());
      if (now != null && now.sameObject(n.stat)) {
        FsEventType type = now.ownershipDiffers(n.stat) ? FsEventType.CHOWN
            : FsEventType.STAT_CHANGED;
        n.stat = now;
        report(type, n, null);
      }
    }
  }

  private void rootGone(Node root) {
    if (!root.live) {
      return;
    }
    report(FsEventType.DELETE, root, null);
    forget(root, false);
    sink.flush();
    sink.rootGone(root.root);
  }

  /**
   * Lists the dirty directories again and reports the differences. A directory that cannot be
   * listed at its old path is listed again when a rename of this batch moved it (or an ancestor);
   * otherwise it is gone, and its parent's event reports it.
   */
  private void rescan(Set<Node> dirty) throws IOException {
    List<Node> pending = new ArrayList<>(dirty);
    for (int round = 0; round < 8 && !pending.isEmpty(); round++) {
      Diff diff = new Diff();
      List<Node> unlisted = new ArrayList<>();
      for (Node dir : pending) {
        if (!dir.live || dir.fd < 0) {
          continue;
        }
        Map<String, Stat> now = list(dir);
        if (now == null) {
          unlisted.add(dir);
        } else {
          diff.compare(dir, now);
        }
      }
      Set<Node> renamed = apply(diff);
      pending = new ArrayList<>();
      for (Node dir : unlisted) {
        if (dir.live && movedBy(dir, renamed)) {
          pending.add(dir);
        }
      }
    }
  }

  private static boolean movedBy(Node n, Set<Node> renamed) {
    for (Node a = n; a != null; a = a.parent) {
      if (renamed.contains(a)) {
        return true;
      }
    }
    return false;
  }

  /** The differences between the last listings of some directories and their entries now. */
  private static final class Diff {
    final List<Node> removed = new ArrayList<>();
    final List<Object[]> added = new ArrayList<>(); // {Node dir, String name, Stat stat}

    void compare(Node dir, Map<String, Stat> now) {
      for (Node child : dir.children.values()) {
        Stat s = now.get(child.name);
        if (s == null || !s.sameObject(child.stat)) {
          removed.add(child);
        } else {
          child.stat = s;
        }
      }
      for (Map.Entry<String, Stat> e : now.entrySet()) {
        Node old = dir.children.get(e.getKey());
        if (old == null || !e.getValue().sameObject(old.stat)) {
          added.add(new Object[] {dir, e.getKey(), e.getValue()});
        }
      }
    }
  }

  /** Reports renames, then deletes, then creates; returns the nodes renamed. */
  private Set<Node> apply(Diff diff) throws IOException {
    Map<List<Long>, ArrayDeque<Node>> byObject = new LinkedHashMap<>();
    for (Node r : diff.removed) {
      if (r.parent.children.get(r.name) == r) {
        r.parent.children.remove(r.name);
      }
      byObject.computeIfAbsent(List.of(r.stat.dev(), r.stat.ino()), k -> new ArrayDeque<>()).add(r);
    }
    Set<Node> renamed = new HashSet<>();
    List<Object[]> created = new ArrayList<>();
    for (Object[] a : diff.added) {
      Node dir = (Node) a[0];
      String name = (String) a[1];
      Stat stat = (Stat) a[2];
      Node from = take(byObject, stat, dir.root);
      if (from == null) {
        created.add(a);
        continue;
      }
      String oldPath = from.relative();
      from.parent = dir;
      from.name = name;
      from.stat = stat;
      dir.children.put(name, from);
      renamed.add(from);
      report(FsEventType.RENAME, from, from.relative(), oldPath);
    }
    for (ArrayDeque<Node> left : byObject.values()) {
      for (Node r : left) {
        Node now = r.parent.children.get(r.name);
        forget(r, now == null || !renamed.contains(now)); // renamed over: no separate delete
      }
    }
    for (Object[] a : created) {
      Node dir = (Node) a[0];
      if (!dir.live) {
        continue;
      }
      Node child = adopt(dir, (String) a[1], (Stat) a[2], true);
      if (child.isDirectory() && child.fd >= 0) {
        populate(child, true);
      }
    }
    return renamed;
  }

  private void report(FsEventType type, Node node, String destination, String path) {
    Stat s = node.stat;
    sink.event(type, node.root, path, destination, s.dev(), s.ino(), s.mode(), s.uid(), s.gid(),
        node.isDirectory() ? FsEvent.IS_DIR : 0);
  }

  /** The removed node that is {@code stat}'s object, in root {@code root}, or null. */
  private static Node take(Map<List<Long>, ArrayDeque<Node>> byObject, Stat stat, int root) {
    ArrayDeque<Node> candidates = byObject.get(List.of(stat.dev(), stat.ino()));
    if (candidates == null) {
      return null;
    }
    for (Node n : candidates) {
      if (n.root == root && stat.sameObject(n.stat)) {
        candidates.remove(n);
        return n;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- closing

  boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      for (Node root : roots) {
        if (root.live) {
          forget(root, false);
        }
      }
    } finally {
      lock.unlock();
    }
    onClose.run();
  }
}
