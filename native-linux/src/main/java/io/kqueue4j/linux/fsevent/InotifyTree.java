package io.kqueue4j.linux.fsevent;

import static io.kqueue4j.linux.Inotify.IN_ATTRIB;
import static io.kqueue4j.linux.Inotify.IN_CREATE;
import static io.kqueue4j.linux.Inotify.IN_DELETE;
import static io.kqueue4j.linux.Inotify.IN_DELETE_SELF;
import static io.kqueue4j.linux.Inotify.IN_DONT_FOLLOW;
import static io.kqueue4j.linux.Inotify.IN_EXCL_UNLINK;
import static io.kqueue4j.linux.Inotify.IN_IGNORED;
import static io.kqueue4j.linux.Inotify.IN_ISDIR;
import static io.kqueue4j.linux.Inotify.IN_MODIFY;
import static io.kqueue4j.linux.Inotify.IN_MOVED_FROM;
import static io.kqueue4j.linux.Inotify.IN_MOVED_TO;
import static io.kqueue4j.linux.Inotify.IN_MOVE_SELF;
import static io.kqueue4j.linux.Inotify.IN_ONLYDIR;
import static io.kqueue4j.linux.Inotify.IN_Q_OVERFLOW;
import static io.kqueue4j.linux.Inotify.IN_UNMOUNT;

import io.kqueue4j.filters.fsevent.FsEvent;
import io.kqueue4j.filters.fsevent.FsEventSink;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatchSpec;
import io.kqueue4j.filters.fsevent.StartupProgress;
import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.FileStat;
import io.kqueue4j.linux.Inotify;
import io.kqueue4j.linux.InotifyEvent;
import io.kqueue4j.linux.LinuxErrno;
import io.kqueue4j.linux.Stat;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The inotify side of one watcher: its own inotify instance, a watch on every directory of its
 * trees, and the tree of {@link Node}s that turns {@code (wd, name)} events into paths.
 *
 * <p><b>No gap for new directories.</b> A new directory is watched first and listed second; every
 * entry the listing finds is reported as created, and directories found are handled the same way
 * before their own listing. An entry created between the watch and the listing appears in both;
 * the later {@code IN_CREATE} for a name already known is dropped. So {@code mkdir -p a/b/c} and
 * {@code cp -r} yield a create for everything.
 *
 * <p><b>Renames.</b> {@code IN_MOVED_FROM} detaches the entry and waits for its {@code
 * IN_MOVED_TO}; Linux queues the two halves back to back. The matching half (same cookie) makes one
 * {@link FsEventType#RENAME}: a moved directory keeps its watches, only its node moves. Any other
 * event, or {@link #MOVE_PAIR_NANOS} without one, ends the wait: the entry moved out of the tree and
 * is reported deleted (its watches removed). An {@code IN_MOVED_TO} without a pending half is a move
 * into the tree, reported as a create (a directory is scanned as new).
 *
 * <p><b>Losses.</b> {@code IN_Q_OVERFLOW} becomes a drop marker, after which the whole tree is
 * listed again ({@link #resync}) so that directories created during the overflow get watches.
 *
 * <p><b>Loops and links.</b> Symbolic links are never followed below a root ({@code lstat}, {@code
 * IN_DONT_FOLLOW | IN_ONLYDIR}); a directory whose watch descriptor is already used by another
 * node (a bind mount of an ancestor, or one directory mounted twice) is not descended into.
 *
 * <p>Threads: everything runs under {@link #lock}, taken by the starting thread during start-up and
 * by the {@link FsEventLoop} thread afterwards.
 */
final class InotifyTree extends FsEventTree<InotifyTree.PendingMove> {
  private static final System.Logger LOG = System.getLogger(InotifyTree.class.getName());

  /** How long a lone {@code IN_MOVED_FROM} waits at the end of a read for its other half. */
  static final long MOVE_PAIR_NANOS = 20_000_000L;

  /** Directories listed during start-up between two reads of the events already queued. */
  static final int STARTUP_DRAIN_INTERVAL = 256;

  /** Reads per readiness before the loop serves another tree. */
  private static final int READS_PER_TURN = 16;

  private final Inotify inotify;
  private final int mask;
  private final boolean wantAttrib;
  private final boolean wantXattr;
  private final InotifyEvent.Handler handler = this::onEvent;

  private HashMap<Integer, Node> byWd = new HashMap<>();
  private final Node[] roots;
  private final boolean[] rootAlive;
  private boolean resyncNeeded;
  private long entries;
  private long unwatchable;

  /** An {@code IN_MOVED_FROM} waiting for its {@code IN_MOVED_TO}. */
  record PendingMove(int cookie, Node node, int root, String path, boolean isDir) {}

  /**
   * Opens the tree's inotify instance; {@link #start} watches the directories.
   *
   * @param spec what to watch
   * @param sink where the records go
   * @param loop the thread that serves the tree once started
   * @throws ErrnoException when no inotify instance can be opened
   */
  InotifyTree(FsWatchSpec spec, FsEventSink sink, FsEventLoop loop) throws ErrnoException {
    super(spec, sink, loop);
    this.wantAttrib =
        sink.wants(FsEventType.STAT_CHANGED)
            || sink.wants(FsEventType.CHOWN)
            || sink.wants(FsEventType.XATTR_MODIFIED)
            || sink.wants(FsEventType.XATTR_REMOVED);
    this.wantXattr =
        (sink.wants(FsEventType.XATTR_MODIFIED) || sink.wants(FsEventType.XATTR_REMOVED))
            && Xattrs.isAvailable();
    this.mask =
        IN_CREATE
            | IN_DELETE
            | IN_MOVED_FROM
            | IN_MOVED_TO
            | IN_DELETE_SELF
            | IN_MOVE_SELF
            | (sink.wants(FsEventType.CONTENT_MODIFIED) ? IN_MODIFY : 0)
            | (wantAttrib ? IN_ATTRIB : 0)
            | IN_ONLYDIR
            | IN_DONT_FOLLOW
            | IN_EXCL_UNLINK;
    this.roots = new Node[spec.roots().size()];
    this.rootAlive = new boolean[roots.length];
    this.inotify = Inotify.open();
  }

  @Override
  int fd() {
    return inotify.fd();
  }

  /**
   * Directories that exist but could not be watched or listed (permissions).
   *
   * @return their number
   */
  long unwatchableDirectories() {
    return unwatchable;
  }

  // ---------------------------------------------------------------------------------- start-up

  /** Watches and lists every directory below the roots. */
  @Override
  void discover(long t0) throws IOException {
    ArrayDeque<Node> todo = new ArrayDeque<>();
    for (int i = 0; i < roots.length; i++) {
      Path p = spec.roots().get(i);
      Node r = new Node(null, p.toString());
      r.root = i;
      r.set(Stat.stat(p)); // a root may itself be a symbolic link to a directory: follow it
      roots[i] = r;
      rootAlive[i] = true;
      todo.push(r);
    }
    long lastDrain = 0;
    long lastProgress = 0;
    while (!todo.isEmpty()) {
      Node d = todo.pop();
      if (d.dead) {
        continue;
      }
      scanOne(d, d.announceContents, todo, true);
      if (watched - lastDrain >= STARTUP_DRAIN_INTERVAL) {
        lastDrain = watched;
        drain(false);
      }
      if (watched - lastProgress >= StartupProgress.INTERVAL_DIRECTORIES) {
        lastProgress = watched;
        spec.progress().progress(watched, entries, System.nanoTime() - t0, false);
      }
    }
  }

  @Override
  long entries() {
    return entries;
  }

  /**
   * Watches directory {@code d}, lists it, and pushes its subdirectories on {@code todo}; reports
   * every entry as created when {@code announce}.
   *
   * @param startup whether an OS limit is fatal (start-up) or a loss to report (later)
   */
  private void scanOne(Node d, boolean announce, ArrayDeque<Node> todo, boolean startup)
      throws IOException {
    if (!watch(d, startup)) {
      return;
    }
    String dirPath = d.absolute();
    Path dir = Path.of(dirPath);
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path child : stream) {
        entries++;
        String name = child.getFileName().toString();
        if (d.child(name) != null) {
          continue; // an event for it was handled already
        }
        FileStat st = lstat(child);
        if (st == null) {
          continue; // gone again: its delete event follows
        }
        Node n = new Node(d, name);
        n.set(st);
        if (wantXattr) {
          n.xattrs = Xattrs.names(child);
        }
        n.baseline = !announce;
        d.put(n);
        if (announce) {
          report(n.isDirectory() ? FsEventType.CREATE_DIR : FsEventType.CREATE_FILE, n);
        }
        if (n.isDirectory()) {
          n.announceContents = announce;
          todo.push(n);
        }
      }
    } catch (NoSuchFileException | NotDirectoryException e) {
      // removed or replaced since it was watched; the events say what happened
    } catch (AccessDeniedException e) {
      unwatchable++;
    }
  }

  /**
   * Adds the watch of directory {@code d}.
   *
   * @return whether {@code d} is watched now and is to be listed
   */
  private boolean watch(Node d, boolean startup) throws IOException {
    if (sink.excludesDevice(d.dev)) {
      return false;
    }
    int wd;
    try {
      wd = inotify.addWatch(Path.of(d.absolute()), d.parent == null ? rootMask() : mask);
    } catch (ErrnoException e) {
      int errno = e.errno();
      if (errno == LinuxErrno.ENOENT || errno == LinuxErrno.ENOTDIR || errno == LinuxErrno.ELOOP) {
        if (d.parent == null) {
          throw e;
        }
        return false; // gone or replaced by a non-directory: the events tell
      }
      if (errno == LinuxErrno.EACCES) {
        unwatchable++;
        return false;
      }
      if (startup) {
        throw e; // ENOSPC: fs.inotify.max_user_watches; the message says so
      }
      LOG.log(Level.WARNING, "cannot watch " + d.absolute() + "; its changes are lost", e);
      sink.dropped();
      return false;
    }
    Node other = byWd.get(wd);
    if (other != null && other != d && !other.dead) {
      return false; // the same directory again: a bind-mount loop, or a root inside a root
    }
    d.wd = wd;
    byWd.put(wd, d);
    watched = byWd.size();
    return true;
  }

  private int rootMask() {
    return mask & ~IN_DONT_FOLLOW;
  }

  // ---------------------------------------------------------------------------------- events

  @Override
  void drain(boolean fromLoop) {
    try {
      for (int i = 0; i < READS_PER_TURN && !closed; i++) {
        if (inotify.read(handler) == 0) {
          break;
        }
      }
    } catch (ErrnoException | RuntimeException e) {
      LOG.log(Level.WARNING, "inotify read failed; reporting a loss and rescanning", e);
      sink.dropped();
      resyncNeeded = true;
    }
    if (resyncNeeded && !starting && !closed) {
      resyncNeeded = false;
      resync();
    }
    if (!moves.isEmpty() && fromLoop) {
      loop.schedule(this);
    }
    sink.flush();
  }

  private void onEvent(InotifyEvent ev) {
    int wd = ev.wd();
    int m = ev.mask();
    int cookie = ev.cookie();
    String name = ev.nameLength() == 0 ? "" : ev.name();
    try {
      handle(wd, m, cookie, name);
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "handling " + Inotify.maskToString(m) + " " + name, e);
      sink.dropped();
      resyncNeeded = true;
    }
  }

  private void handle(int wd, int m, int cookie, String name) throws IOException {
    if (!moves.isEmpty() && !((m & IN_MOVED_TO) != 0 && pendingMove(cookie) >= 0)) {
      flushMoves();
    }
    if ((m & IN_Q_OVERFLOW) != 0) {
      sink.dropped();
      resyncNeeded = true;
      return;
    }
    Node dir = byWd.get(wd);
    if (dir == null || dir.dead) {
      return; // a watch removed already
    }
    if ((m & IN_IGNORED) != 0) {
      if (dir.wd == wd) {
        byWd.remove(wd);
        watched = byWd.size();
        dir.wd = -1;
      }
      if (dir.parent == null) {
        rootGone(dir);
      }
      return;
    }
    if (name.isEmpty()) {
      selfEvent(dir, m);
      return;
    }
    boolean isDir = (m & IN_ISDIR) != 0;
    if ((m & IN_CREATE) != 0) {
      created(dir, name, isDir);
    } else if ((m & IN_DELETE) != 0) {
      deleted(dir, name, isDir);
    } else if ((m & IN_MOVED_FROM) != 0) {
      movedFrom(dir, name, cookie, isDir);
    } else if ((m & IN_MOVED_TO) != 0) {
      movedTo(dir, name, cookie, isDir);
    } else {
      if ((m & IN_MODIFY) != 0) {
        modified(dir, name);
      }
      if ((m & IN_ATTRIB) != 0) {
        attrib(dir, dir.child(name), name);
      }
    }
  }

  /** An event about a watched directory itself: only a root's matter (its parent is not watched). */
  private void selfEvent(Node dir, int m) throws IOException {
    if (dir.parent == null) {
      if ((m & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) != 0) {
        rootGone(dir);
      } else if ((m & IN_ATTRIB) != 0) {
        attrib(null, dir, "");
      }
    } else if ((m & IN_UNMOUNT) != 0) {
      // The file system below dir went away; what is visible there now is unknown.
      sink.dropped();
      resyncNeeded = true;
    }
  }

  private void created(Node dir, String name, boolean isDir) throws IOException {
    Node n = dir.child(name);
    if (n != null) {
      if (n.baseline) {
        announceSubtree(n); // listed at start-up, but created after dir was watched
      }
      return; // listed by the scan that watched dir: reported already
    }
    Path p = Path.of(dir.absolute(), name);
    FileStat st = lstat(p);
    n = new Node(dir, name);
    if (st != null) {
      n.set(st);
    } else if (isDir) {
      n.mode = FileStat.S_IFDIR;
    }
    if (wantXattr && st != null) {
      n.xattrs = Xattrs.names(p);
    }
    dir.put(n);
    report(isDir ? FsEventType.CREATE_DIR : FsEventType.CREATE_FILE, n);
    if (st != null && st.isDirectory()) {
      scanNew(n);
    }
  }

  /**
   * Reports {@code top} and everything below it found by the start-up listing as created: {@code
   * top} appeared after its directory was watched, so all of it is new. Directories not listed yet
   * will announce their entries.
   */
  private void announceSubtree(Node top) {
    ArrayDeque<Node> todo = new ArrayDeque<>();
    todo.push(top);
    while (!todo.isEmpty()) {
      Node n = todo.pop();
      if (n.baseline) {
        n.baseline = false;
        report(n.isDirectory() ? FsEventType.CREATE_DIR : FsEventType.CREATE_FILE, n);
      }
      if (n.isDirectory()) {
        n.announceContents = true;
        if (n.children != null) {
          todo.addAll(n.children.values());
        }
      }
    }
  }

  /** Watches and lists new directory {@code top} and everything below it, announcing each entry. */
  private void scanNew(Node top) throws IOException {
    ArrayDeque<Node> todo = new ArrayDeque<>();
    todo.push(top);
    while (!todo.isEmpty()) {
      Node d = todo.pop();
      if (!d.dead) {
        scanOne(d, true, todo, false);
      }
    }
  }

  private void deleted(Node dir, String name, boolean isDir) {
    Node n = dir.remove(name);
    if (n == null) {
      report(FsEventType.DELETE, dir, name, isDir);
      return;
    }
    report(FsEventType.DELETE, n, isDir);
    forget(n);
  }

  private void movedFrom(Node dir, String name, int cookie, boolean isDir) {
    Node n = dir.remove(name);
    moves.add(new PendingMove(cookie, n, dir.top().root, dir.relative(name), isDir));
    moveDeadline = System.nanoTime() + MOVE_PAIR_NANOS;
  }

  private void movedTo(Node dir, String name, int cookie, boolean isDir) throws IOException {
    int i = pendingMove(cookie);
    PendingMove from = i < 0 ? null : moves.remove(i);
    Node replaced = dir.remove(name);
    if (replaced != null && replaced != (from == null ? null : from.node())) {
      forget(replaced); // overwritten; XNU reports no separate delete either
    }
    int root = dir.top().root;
    if (from != null && from.root() == root && from.node() != null && !from.node().dead) {
      Node n = from.node();
      n.name = name;
      n.baseline = false;
      dir.put(n);
      String to = n.relative();
      sink.event(FsEventType.RENAME, root, from.path(), to, n.dev, n.ino, n.mode, n.uid, n.gid,
          isDir ? FsEvent.IS_DIR : 0);
      return;
    }
    if (from != null) { // across roots, or never known: a delete here and a create there
      movedOut(from);
    }
    created(dir, name, isDir);
  }

  private int pendingMove(int cookie) {
    for (int i = 0; i < moves.size(); i++) {
      if (moves.get(i).cookie() == cookie) {
        return i;
      }
    }
    return -1;
  }

  @Override
  void movedOut(PendingMove m) {
    Node n = m.node();
    if (n == null) {
      sink.event(FsEventType.DELETE, m.root(), m.path(), null, 0, 0, 0, 0, 0,
          m.isDir() ? FsEvent.IS_DIR : 0);
      return;
    }
    sink.event(FsEventType.DELETE, m.root(), m.path(), null, n.dev, n.ino, n.mode, n.uid, n.gid,
        m.isDir() ? FsEvent.IS_DIR : 0);
    forget(n);
  }

  private void modified(Node dir, String name) {
    Node n = dir.child(name);
    if (n == null) {
      n = new Node(dir, name);
      n.set(lstat(Path.of(dir.absolute(), name)));
      dir.put(n);
    }
    n.mtimeStale = true;
    report(FsEventType.CONTENT_MODIFIED, n);
  }

  /**
   * {@code IN_ATTRIB}: compares with the attributes last seen to tell {@link FsEventType#CHOWN}
   * (owner, group, mode), {@link FsEventType#STAT_CHANGED} (link count, modification time), and
   * {@link FsEventType#XATTR_MODIFIED} / {@link FsEventType#XATTR_REMOVED} (only the change time
   * moved, and the attribute names differ or some exist) apart.
   */
  private void attrib(Node dir, Node n, String name) {
    Path p = n != null ? Path.of(n.absolute()) : Path.of(dir.absolute(), name);
    FileStat st = n != null && n.parent == null ? stat(p) : lstat(p);
    if (st == null) {
      return; // gone: the delete follows
    }
    if (n == null) {
      n = new Node(dir, name);
      n.set(st);
      dir.put(n);
      report(FsEventType.STAT_CHANGED, n);
      return;
    }
    FsEventType type;
    if (st.mode() != n.mode || st.uid() != n.uid || st.gid() != n.gid) {
      type = FsEventType.CHOWN;
    } else if (st.nlink() != n.nlink || (!n.mtimeStale && st.mtimeNanos() != n.mtime)) {
      type = FsEventType.STAT_CHANGED;
    } else if (wantXattr) {
      String now = Xattrs.names(p);
      String before = n.xattrs;
      n.xattrs = now;
      if (now == null) {
        type = FsEventType.STAT_CHANGED;
      } else if (before != null && !before.equals(now)) {
        type = Xattrs.count(now) < Xattrs.count(before) || !containsAll(now, before)
            ? FsEventType.XATTR_REMOVED
            : FsEventType.XATTR_MODIFIED;
      } else {
        type = now.isEmpty() ? FsEventType.STAT_CHANGED : FsEventType.XATTR_MODIFIED;
      }
    } else {
      type = FsEventType.STAT_CHANGED;
    }
    n.set(st);
    report(type, n);
  }

  private static boolean containsAll(String names, String of) {
    if (of.isEmpty()) {
      return true;
    }
    List<String> have = List.of(names.split("\0"));
    for (String x : of.split("\0")) {
      if (!have.contains(x)) {
        return false;
      }
    }
    return true;
  }

  /** A root was removed, moved away or unmounted. */
  private void rootGone(Node r) {
    if (!rootAlive[r.root]) {
      return;
    }
    rootAlive[r.root] = false;
    sink.event(FsEventType.DELETE, r.root, "", null, r.dev, r.ino, r.mode, r.uid, r.gid,
        FsEvent.IS_DIR);
    forget(r);
    sink.flush();
    sink.rootGone(r.root);
  }

  /** Drops {@code top} and everything below it, removing their watches (kept after a move out). */
  private void forget(Node top) {
    ArrayDeque<Node> todo = new ArrayDeque<>();
    todo.push(top);
    while (!todo.isEmpty()) {
      Node n = todo.pop();
      n.dead = true;
      if (n.wd >= 0) {
        if (byWd.get(n.wd) == n) {
          byWd.remove(n.wd);
          try {
            inotify.removeWatch(n.wd);
          } catch (ErrnoException e) {
            // EINVAL: the kernel removed it already (the directory was deleted)
          }
        }
        n.wd = -1;
      }
      if (n.children != null) {
        todo.addAll(n.children.values());
      }
    }
    watched = byWd.size();
  }

  /**
   * After an overflow: lists every root again with the watches that still stand (adding one to an
   * inode already watched returns its descriptor), watches what is new, and removes the watches of
   * what is gone. Reports nothing: the drop marker already told the reader to rescan.
   */
  private void resync() {
    moves.clear();
    moveDeadline = Long.MAX_VALUE;
    HashMap<Integer, Node> old = byWd;
    byWd = new HashMap<>(Math.max(16, old.size() * 2));
    for (Node n : old.values()) {
      n.dead = true;
    }
    for (Node r : roots) {
      if (r == null || !rootAlive[r.root]) {
        continue;
      }
      Node fresh = new Node(null, r.name);
      fresh.root = r.root;
      fresh.set(stat(Path.of(r.name)));
      roots[r.root] = fresh;
      ArrayDeque<Node> todo = new ArrayDeque<>();
      todo.push(fresh);
      try {
        while (!todo.isEmpty()) {
          scanOne(todo.pop(), false, todo, false);
        }
      } catch (IOException e) {
        sink.dropped();
      }
      if (fresh.wd < 0) {
        rootGone(fresh);
      }
    }
    for (Map.Entry<Integer, Node> e : old.entrySet()) {
      if (!byWd.containsKey(e.getKey())) {
        try {
          inotify.removeWatch(e.getKey());
        } catch (ErrnoException ignored) {
          // gone already
        }
      }
    }
    watched = byWd.size();
  }

  // ---------------------------------------------------------------------------------- reporting

  private void report(FsEventType type, Node n) {
    report(type, n, n.isDirectory());
  }

  private void report(FsEventType type, Node n, boolean isDir) {
    if (!sink.wants(type)) {
      return;
    }
    Node top = n.top();
    long dev = n.dev != 0 ? n.dev : n.parent != null ? n.parent.dev : 0;
    sink.event(type, top.root, n.relative(), null, dev, n.ino, n.mode, n.uid, n.gid,
        isDir ? FsEvent.IS_DIR : 0);
  }

  private void report(FsEventType type, Node dir, String name, boolean isDir) {
    sink.event(type, dir.top().root, dir.relative(name), null, dir.dev, 0, 0, 0, 0,
        isDir ? FsEvent.IS_DIR : 0);
  }

  private static FileStat stat(Path p) {
    try {
      return Stat.stat(p);
    } catch (ErrnoException e) {
      return null;
    }
  }

  // ---------------------------------------------------------------------------------- close

  @Override
  void release() {
    try {
      inotify.close();
    } catch (ErrnoException e) {
      LOG.log(Level.DEBUG, "closing inotify", e);
    }
    for (Node n : byWd.values()) {
      n.dead = true;
    }
    byWd.clear();
  }
}
