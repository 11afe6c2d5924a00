package io.kqueue4j.linux.fsevent;

import static io.kqueue4j.linux.fsevent.FanotifyGroup.FAN_ATTRIB;
import static io.kqueue4j.linux.fsevent.FanotifyGroup.FAN_CREATE;
import static io.kqueue4j.linux.fsevent.FanotifyGroup.FAN_DELETE;
import static io.kqueue4j.linux.fsevent.FanotifyGroup.FAN_DELETE_SELF;
import static io.kqueue4j.linux.fsevent.FanotifyGroup.FAN_MODIFY;
import static io.kqueue4j.linux.fsevent.FanotifyGroup.FAN_MOVED_FROM;
import static io.kqueue4j.linux.fsevent.FanotifyGroup.FAN_MOVED_TO;
import static io.kqueue4j.linux.fsevent.FanotifyGroup.FAN_MOVE_SELF;
import static io.kqueue4j.linux.fsevent.FanotifyGroup.FAN_Q_OVERFLOW;
import static io.kqueue4j.linux.fsevent.FanotifyGroup.FAN_RENAME;

import io.kqueue4j.filters.fsevent.FsEvent;
import io.kqueue4j.filters.fsevent.FsEventSink;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatchSpec;
import io.kqueue4j.filters.fsevent.StartupProgress;
import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.FileStat;
import io.kqueue4j.linux.LibC;
import io.kqueue4j.linux.Stat;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;

/**
 * The fanotify side of one watcher: its own group with a filesystem-wide mark on each file system
 * its roots span, and a map from directory handle to {@link FanotifyDir} that turns an event's
 * {@code (directory handle, name)} into a path below a root. Events whose directory is not in the
 * map (the rest of the file system: other processes' files, {@code /tmp} at large) are dropped
 * after one hash lookup.
 *
 * <p><b>Start-up.</b> The marks go first, then one walk lists the directories below the roots
 * ({@link FanotifyWalk}): no watch per directory, no {@code stat} per file. Every change after the
 * mark has its own event, so a new directory needs no listing: its create event carries its handle
 * ({@code FAN_REPORT_FID}), which enters the map. A directory moved in from elsewhere is listed and
 * everything in it reported as created.
 *
 * <p><b>Renames.</b> With {@code FAN_RENAME} one event carries both places and the object; without
 * it, {@code FAN_MOVED_FROM} waits up to {@link #MOVE_PAIR_NANOS} for the {@code FAN_MOVED_TO} of
 * the same object (other processes' events may come between). Inside one root: {@link
 * FsEventType#RENAME} and a moved directory's node follows; out of the tree: {@link
 * FsEventType#DELETE}; into it: a create.
 *
 * <p><b>Losses.</b> {@code FAN_Q_OVERFLOW} becomes a drop marker, after which the roots are walked
 * again so that directories created meanwhile are known.
 *
 * <p>Threads: everything runs under {@link #lock}, taken by the starting thread during start-up and
 * by the {@link FsEventLoop} thread afterwards.
 */
final class FanotifyTree extends FsEventTree<FanotifyTree.PendingMove>
    implements FanotifyWalk.Visitor {
  private static final System.Logger LOG = System.getLogger(FanotifyTree.class.getName());

  /** How long a lone {@code FAN_MOVED_FROM} waits for its other half. */
  static final long MOVE_PAIR_NANOS = 20_000_000L;

  /** Directories listed during start-up between two reads of the events already queued. */
  static final int STARTUP_DRAIN_INTERVAL = 256;

  private static final int READS_PER_TURN = 16;

  private final FanotifyGroup group;
  private final FanotifyEvent event = new FanotifyEvent();
  private final HashMap<FanotifyHandle, FanotifyDir> dirs = new HashMap<>();
  private final FanotifyWalk walk;
  /** Events lack the object's handle: directories are also indexed by name in their parent. */
  private final boolean byName;
  private final FanotifyDir[] roots;
  private final long[] rootDev;
  private final boolean[] rootAlive;
  /** Files a listing of a moved-in directory reported, whose create events may still come. */
  private final Set<Announced> announced = new HashSet<>();
  private boolean announcing;
  private boolean resyncNeeded;
  private long lastDrain;
  private long lastProgress;
  private long startNanos;

  private record Announced(FanotifyDir dir, String name) {}

  /** A {@code FAN_MOVED_FROM} waiting for its {@code FAN_MOVED_TO}. */
  record PendingMove(int tid, FanotifyHandle dir, String name, boolean isDir) {}

  /**
   * Opens the tree's fanotify group; {@link #start} marks the file systems and walks the roots.
   *
   * @param spec what to watch
   * @param sink where the records go
   * @param loop the thread that serves the tree once started
   * @param allowRename whether to use {@code FAN_RENAME} where the kernel has it
   * @throws ErrnoException when no fanotify group can be opened
   */
  FanotifyTree(FsWatchSpec spec, FsEventSink sink, FsEventLoop loop, boolean allowRename)
      throws ErrnoException {
    super(spec, sink, loop);
    this.group = FanotifyGroup.open(allowRename);
    this.walk = new FanotifyWalk(group, dirs, sink::excludesDevice);
    this.byName = !group.renameEvents();
    this.roots = new FanotifyDir[spec.roots().size()];
    this.rootDev = new long[roots.length];
    this.rootAlive = new boolean[roots.length];
  }

  @Override
  int fd() {
    return group.fd();
  }

  /**
   * How renames arrive, fixed when the group is opened.
   *
   * @return whether renames arrive as single {@code FAN_RENAME} events
   */
  boolean renameEvents() {
    return group.renameEvents();
  }

  // ---------------------------------------------------------------------------------- start-up

  /** Marks the file systems and walks the roots. */
  @Override
  void discover(long startNanos) throws IOException {
    this.startNanos = startNanos;
    for (int i = 0; i < roots.length; i++) {
      walkRoot(i, true);
    }
  }

  @Override
  long entries() {
    return walk.entries;
  }

  private void walkRoot(int i, boolean strict) throws ErrnoException {
    Path p = spec.roots().get(i);
    int[] fd = new int[1];
    FanotifyDir r = walk.openRoot(p, i, fd);
    rootDev[i] = Stat.fstat(fd[0]).dev();
    roots[i] = r;
    rootAlive[i] = true;
    dirs.put(r.handle, r);
    walk.walk(r, fd[0], false, strict, this);
    watched = dirs.size();
  }

  @Override
  public void directory(FanotifyDir dir) {
    link(dir);
    if (announcing) {
      report(FsEventType.CREATE_DIR, dir.parent, dir.name, true);
    }
  }

  @Override
  public void file(FanotifyDir parent, String name) {
    announced.add(new Announced(parent, name));
    report(FsEventType.CREATE_FILE, parent, name, false);
  }

  @Override
  public void listed() {
    if (!starting) {
      return;
    }
    long n = walk.directories;
    if (n - lastDrain >= STARTUP_DRAIN_INTERVAL) {
      lastDrain = n;
      watched = dirs.size();
      drain(false);
    }
    if (n - lastProgress >= StartupProgress.INTERVAL_DIRECTORIES) {
      lastProgress = n;
      spec.progress().progress(n, walk.entries, System.nanoTime() - startNanos, false);
    }
  }

  // ---------------------------------------------------------------------------------- events

  @Override
  void drain(boolean fromLoop) {
    boolean empty = false;
    try {
      for (int i = 0; i < READS_PER_TURN && !closed; i++) {
        int n = group.read();
        if (n == 0) {
          empty = true;
          break;
        }
        ByteBuffer b = group.buffer();
        for (int off = 0; off < n; ) {
          off = event.wrap(b, off, n);
          onEvent();
        }
      }
    } catch (ErrnoException | RuntimeException e) {
      LOG.log(Level.WARNING, "fanotify read failed; reporting a loss and rescanning", e);
      sink.dropped();
      resyncNeeded = true;
    }
    if (empty) {
      // every create event of what a listing announced was queued before the listing: all read
      announced.clear();
    }
    if (resyncNeeded && !starting && !closed) {
      resyncNeeded = false;
      resync();
    }
    if (!moves.isEmpty() && fromLoop) {
      loop.schedule(this);
    }
    watched = dirs.size();
    sink.flush();
  }

  @Override
  void movedOut(PendingMove m) {
    renamed(m.dir(), m.name(), null, null, null, m.isDir());
  }

  private void onEvent() {
    FanotifyEvent e = event;
    try {
      handle(e);
    } catch (IOException | RuntimeException ex) {
      LOG.log(Level.WARNING, "handling fanotify event 0x" + Long.toHexString(e.mask), ex);
      sink.dropped();
      resyncNeeded = true;
    }
  }

  private void handle(FanotifyEvent e) throws IOException {
    if (e.has(FAN_Q_OVERFLOW)) {
      sink.dropped();
      resyncNeeded = true;
      return;
    }
    if (e.dir == null) {
      return; // an event on a file itself (FID only): its directory entry events say it all
    }
    if (e.has(FAN_RENAME)) {
      renamed(e.dir, e.name, e.newDir, e.newName, e.object, e.isDir());
      return;
    }
    if (FanotifyEvent.SELF.equals(e.name)) {
      selfEvent(e);
      return;
    }
    if (e.has(FAN_MOVED_FROM)) {
      moves.add(new PendingMove(e.pid, e.dir, e.name, e.isDir()));
      moveDeadline = System.nanoTime() + MOVE_PAIR_NANOS;
      return;
    }
    if (e.has(FAN_MOVED_TO)) {
      PendingMove from = takeMove(e.pid, e.isDir());
      if (from == null) {
        renamed(null, null, e.dir, e.name, e.object, e.isDir());
      } else {
        renamed(from.dir(), from.name(), e.dir, e.name, e.object, e.isDir());
      }
      return;
    }
    FanotifyDir parent = live(e.dir);
    if (parent == null) {
      return; // outside every root
    }
    boolean isDir = e.isDir();
    if (e.has(FAN_CREATE)) {
      created(parent, e.name, e.object, isDir);
    }
    if (e.has(FAN_MODIFY)) {
      report(FsEventType.CONTENT_MODIFIED, parent, e.name, isDir);
    }
    if (e.has(FAN_ATTRIB)) {
      report(FsEventType.STAT_CHANGED, parent, e.name, isDir);
    }
    if (e.has(FAN_DELETE)) {
      deleted(parent, e.name, e.object, isDir);
    }
  }

  /** The waiting half of the same thread's rename (one thread renames one entry at a time). */
  private PendingMove takeMove(int tid, boolean isDir) {
    for (int i = 0; i < moves.size(); i++) {
      if (moves.get(i).tid() == tid && moves.get(i).isDir() == isDir) {
        PendingMove m = moves.remove(i);
        if (moves.isEmpty()) {
          moveDeadline = Long.MAX_VALUE;
        }
        return m;
      }
    }
    return null;
  }

  /** The directory with handle {@code h} when it is inside a live root, else null. */
  private FanotifyDir live(FanotifyHandle h) {
    FanotifyDir d = h == null ? null : dirs.get(h);
    return d == null || d.top() == null ? null : d;
  }

  /** An event on a directory itself (name {@code "."}): only attributes and the roots matter. */
  private void selfEvent(FanotifyEvent e) {
    FanotifyDir d = live(e.dir);
    if (d == null) {
      return;
    }
    if (d.root >= 0 && e.has(FAN_DELETE_SELF | FAN_MOVE_SELF)) {
      rootGone(d);
    } else if (e.has(FAN_ATTRIB) && sink.wants(FsEventType.STAT_CHANGED)) {
      FanotifyDir top = d.top();
      FileStat st = lstat(absolute(top, d.relative()));
      sink.event(FsEventType.STAT_CHANGED, top.root, d.relative(), null, rootDev[top.root],
          st == null ? 0 : st.ino(), st == null ? FileStat.S_IFDIR : st.mode(),
          st == null ? 0 : st.uid(), st == null ? 0 : st.gid(), FsEvent.IS_DIR);
    }
  }

  private void created(FanotifyDir parent, String name, FanotifyHandle object, boolean isDir) {
    if (!isDir) {
      if (!announced.remove(new Announced(parent, name))) {
        report(FsEventType.CREATE_FILE, parent, name, false);
      }
      return;
    }
    FanotifyHandle h = object != null ? object : handleOf(parent, name);
    FanotifyDir known = h == null ? null : dirs.get(h);
    if (known != null && !known.dead && known.top() != null) {
      if (known.baseline) { // found by the start-up walk, yet created after the mark
        known.baseline = false;
        report(FsEventType.CREATE_DIR, parent, name, true);
      }
      return; // found by the listing of a moved-in directory: reported already
    }
    report(FsEventType.CREATE_DIR, parent, name, true);
    if (h == null) {
      // gone before its handle could be read: what happened inside it cannot be placed
      sink.dropped();
      resyncNeeded = true;
      return;
    }
    FanotifyDir d = new FanotifyDir(parent, name, -1, h);
    dirs.put(h, d);
    link(d);
  }

  /** Where events lack the object's handle: the handle of directory {@code name} of {@code dir}. */
  private FanotifyHandle handleOf(FanotifyDir dir, String name) {
    FanotifyDir top = dir.top();
    return top == null ? null : walk.handleOf(absolute(top, dir.relative(name)), dir.handle);
  }

  /** Indexes {@code d} by name in its parent, where events lack object handles. */
  private void link(FanotifyDir d) {
    if (byName && d.parent != null) {
      if (d.parent.subdirs == null) {
        d.parent.subdirs = new HashMap<>(4);
      }
      d.parent.subdirs.put(d.name, d);
    }
  }

  private void unlink(FanotifyDir d) {
    if (d.parent != null && d.parent.subdirs != null) {
      d.parent.subdirs.remove(d.name, d);
    }
  }

  /** The known directory an entry event is about, by handle or, lacking one, by old name. */
  private FanotifyDir movedDir(FanotifyHandle object, FanotifyDir parent, String name) {
    if (object != null) {
      return dirs.get(object);
    }
    return parent == null ? null : parent.subdir(name);
  }

  private void deleted(FanotifyDir parent, String name, FanotifyHandle object, boolean isDir) {
    if (isDir) {
      FanotifyDir d = movedDir(object, parent, name);
      if (d != null && d.parent == parent) {
        forget(d);
      }
    }
    report(FsEventType.DELETE, parent, name, isDir);
  }

  /**
   * A move from {@code (oldDir, oldName)} to {@code (newDir, newName)}, either side possibly
   * outside the tree (null: not known).
   */
  private void renamed(FanotifyHandle oldDir, String oldName, FanotifyHandle newDir,
      String newName, FanotifyHandle object, boolean isDir) {
    FanotifyDir from = live(oldDir);
    FanotifyDir to = live(newDir);
    FanotifyDir moved = isDir ? movedDir(object, from, oldName) : null;
    if (from != null && to != null && from.top() == to.top()) {
      FanotifyDir top = from.top();
      String oldRel = from.relative(oldName);
      if (moved != null) {
        unlink(moved);
        moved.parent = to;
        moved.name = newName;
        moved.baseline = false;
        moved.dead = false;
        link(moved);
      } else if (isDir) {
        FanotifyHandle h = object != null ? object : handleOf(to, newName);
        if (h != null) {
          moved = new FanotifyDir(to, newName, -1, h);
          dirs.put(h, moved);
          link(moved);
          relist(moved, false); // in the tree but never listed (created during start-up)
        }
      }
      String newRel = to.relative(newName);
      if (sink.wants(FsEventType.RENAME)) {
        FileStat st = lstat(absolute(top, newRel));
        sink.event(FsEventType.RENAME, top.root, oldRel, newRel,
            st != null ? st.dev() : rootDev[top.root],
            st == null ? 0 : st.ino(), st == null ? 0 : st.mode(), st == null ? 0 : st.uid(),
            st == null ? 0 : st.gid(), isDir ? FsEvent.IS_DIR : 0);
      }
      return;
    }
    if (from != null) {
      if (moved != null) {
        forget(moved);
      }
      report(FsEventType.DELETE, from, oldName, isDir);
    }
    if (to != null) {
      report(isDir ? FsEventType.CREATE_DIR : FsEventType.CREATE_FILE, to, newName, isDir);
      FanotifyHandle h = !isDir ? null : object != null ? object : handleOf(to, newName);
      if (h != null) {
        FanotifyDir d = new FanotifyDir(to, newName, -1, h);
        dirs.put(h, d);
        link(d);
        relist(d, true);
      }
    }
  }

  /** Lists directory {@code d}, already in the map, and everything below it. */
  private void relist(FanotifyDir d, boolean announce) {
    FanotifyDir top = d.top();
    try {
      int fd = LibC.open(absolute(top, d.relative()), LibC.O_RDONLY | LibC.O_CLOEXEC);
      announcing = announce;
      try {
        walk.walk(d, fd, announce, false, this);
      } finally {
        announcing = false;
      }
    } catch (ErrnoException e) {
      // gone or replaced already: the events that follow say what happened
      LOG.log(Level.DEBUG, "listing " + d.relative(), e);
    }
  }

  /** A root was removed, moved away or unmounted. */
  private void rootGone(FanotifyDir r) {
    if (!rootAlive[r.root]) {
      return;
    }
    rootAlive[r.root] = false;
    sink.event(FsEventType.DELETE, r.root, "", null, rootDev[r.root], 0, FileStat.S_IFDIR, 0, 0,
        FsEvent.IS_DIR);
    forget(r);
    sink.flush();
    sink.rootGone(r.root);
  }

  /** Drops {@code d} from the map; the directories below it no longer reach a root. */
  private void forget(FanotifyDir d) {
    unlink(d);
    d.dead = true;
    dirs.remove(d.handle, d);
  }

  /**
   * After an overflow: walks every live root again into a fresh map. Reports nothing: the drop
   * marker already told the reader to rescan.
   */
  private void resync() {
    moves.clear();
    moveDeadline = Long.MAX_VALUE;
    announced.clear();
    for (FanotifyDir d : dirs.values()) {
      d.dead = true;
    }
    dirs.clear();
    for (int i = 0; i < roots.length; i++) {
      if (!rootAlive[i]) {
        continue;
      }
      try {
        walkRoot(i, false);
      } catch (ErrnoException e) {
        rootGone(roots[i]);
      }
    }
    watched = dirs.size();
  }

  // ---------------------------------------------------------------------------------- reporting

  private void report(FsEventType type, FanotifyDir parent, String name, boolean isDir) {
    if (!sink.wants(type)) {
      return;
    }
    FanotifyDir top = parent.top();
    if (top == null) {
      return;
    }
    String rel = parent.relative(name);
    FileStat st = type == FsEventType.DELETE ? null : lstat(absolute(top, rel));
    int mode = st != null ? st.mode() : isDir ? FileStat.S_IFDIR : 0;
    sink.event(type, top.root, rel, null, st != null ? st.dev() : rootDev[top.root],
        st == null ? 0 : st.ino(), mode,
        st == null ? 0 : st.uid(), st == null ? 0 : st.gid(), isDir ? FsEvent.IS_DIR : 0);
  }

  private static Path absolute(FanotifyDir top, String rel) {
    return rel.isEmpty() ? Path.of(top.name) : Path.of(top.name, rel);
  }

  // ---------------------------------------------------------------------------------- close

  @Override
  void release() {
    try {
      group.close();
    } catch (ErrnoException e) {
      LOG.log(Level.DEBUG, "closing fanotify", e);
    }
    dirs.clear();
    announced.clear();
  }
}
