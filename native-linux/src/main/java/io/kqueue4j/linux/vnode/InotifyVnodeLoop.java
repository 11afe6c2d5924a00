package io.kqueue4j.linux.vnode;

import static io.kqueue4j.KEvent.NOTE_DELETE;
import static io.kqueue4j.linux.Inotify.IN_DELETE_SELF;
import static io.kqueue4j.linux.Inotify.IN_IGNORED;
import static io.kqueue4j.linux.Inotify.IN_MASK_ADD;
import static io.kqueue4j.linux.Inotify.IN_MOVE_SELF;
import static io.kqueue4j.linux.Inotify.IN_Q_OVERFLOW;
import static io.kqueue4j.linux.Inotify.IN_UNMOUNT;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.vnode.VnodeNotes;
import io.kqueue4j.filters.vnode.VnodeState;
import io.kqueue4j.kernel.EventPump;
import io.kqueue4j.linux.Epoll;
import io.kqueue4j.linux.EpollEventArray;
import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.EventFd;
import io.kqueue4j.linux.FileStat;
import io.kqueue4j.linux.Inotify;
import io.kqueue4j.linux.InotifyEvent;
import io.kqueue4j.linux.LibC;
import io.kqueue4j.linux.LinuxErrno;
import io.kqueue4j.linux.Stat;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The inotify instances that feed {@code EVFILT_VNODE} in every emulated kqueue of the process,
 * waited on with one epoll instance through an {@link EventPump}: by the thread in {@code kevent}
 * of a kqueue with vnode knotes when it can lead the pump, else by the pump's thread, {@code
 * kqueue4j-vnode-inotify}.
 *
 * <p>Each watched object (device and inode) has one {@link InotifyVnode}, in one instance, however
 * many descriptors, knotes and kqueues refer to it; its inotify mask is the union of what they ask
 * for. A read of one instance is handled in three steps under {@link #lock}: record every event on
 * its object ({@link InotifyNotes.Changes}), {@code fstat} each object concerned once when a knote
 * asks for a bit that needs its state ({@link InotifyNotes#STATE_NOTES}) and turn events and state
 * change into {@code NOTE_*} bits ({@link InotifyNotes#notes}), then, with no lock held, post them
 * to the objects' knote lists. After an {@code IN_Q_OVERFLOW} every object of the instance is
 * compared with its last known state instead, so that no change goes unreported.
 *
 * <p>Lock order: a knote list's lock, then {@link #lock}. {@link #gate} is held by the polling
 * thread around a whole turn (read, derive, post) and by tests that need events to pile up or to
 * have been delivered.
 */
final class InotifyVnodeLoop implements EventPump.Source {
  static final String INSTANCES_PROPERTY = "io.kqueue4j.vnode.inotifyInstances";
  static final int DEFAULT_INSTANCES = 2;

  private static final System.Logger LOG = System.getLogger(InotifyVnodeLoop.class.getName());
  /** Reads of one instance per turn, so that a busy instance cannot starve the others. */
  private static final int READS_PER_TURN = 16;
  private static final long WAKEUP_TAG = -1;
  private static final Path MAX_USER_INSTANCES = Path.of("/proc/sys/fs/inotify/max_user_instances");

  private static InotifyVnodeLoop loop;

  /** Guards every watch, every {@link InotifyVnode} and the state of the current read. */
  final ReentrantLock lock = new ReentrantLock();
  /** Held by the polling thread for a whole turn; fair, so that a test waiting cannot starve it. */
  final ReentrantLock gate = new ReentrantLock(true);
  private final Epoll epoll;
  /** In {@link #epoll} with the tag -1: {@link #wakeup()} signals it. */
  private final EventFd wakeup;
  private final EventPump pump;
  private final EpollEventArray ready;
  final Instance[] instances;
  private final Map<InotifyVnode.Key, InotifyVnode> byKey = new HashMap<>();
  private final AtomicLong overflows = new AtomicLong();
  private final InotifyEvent.Handler handler = this::record;

  /** The current read: its instance, the objects it concerns, its renames; under {@link #lock}. */
  private Instance reading;
  private boolean overflowSeen;
  private final List<InotifyVnode> touched = new ArrayList<>();
  private final InotifyNotes.Moves moves = new InotifyNotes.Moves();

  /** One inotify instance and the objects watched in it. */
  static final class Instance {
    final int index;
    final Inotify inotify;
    final Map<Integer, InotifyVnode> byWd = new HashMap<>();
    int watches;

    Instance(int index, Inotify inotify) {
      this.index = index;
      this.inotify = inotify;
    }
  }

  private record Post(InotifyVnode vnode, int notes, boolean revoke) {}

  private InotifyVnodeLoop(Epoll epoll, EventFd wakeup, Instance[] instances) {
    this.epoll = epoll;
    this.wakeup = wakeup;
    this.instances = instances;
    this.ready = new EpollEventArray(instances.length + 1);
    this.pump = new EventPump("kqueue4j-vnode-inotify", this);
  }

  /** The pump through which kqueues with vnode knotes poll the instances. */
  EventPump pump() {
    return pump;
  }

  /** The process's loop, started on first use. */
  static synchronized InotifyVnodeLoop get() throws KQueueException {
    if (loop == null) {
      loop = start();
    }
    return loop;
  }

  /** The loop if it was started, else null; for diagnostics and tests. */
  static synchronized InotifyVnodeLoop peek() {
    return loop;
  }

  private static InotifyVnodeLoop start() throws KQueueException {
    int wanted = Math.max(1, Math.min(16, Integer.getInteger(INSTANCES_PROPERTY, DEFAULT_INSTANCES)));
    Epoll epoll;
    try {
      epoll = Epoll.open();
    } catch (ErrnoException e) {
      throw FreeBsdErrors.of(e, "EVFILT_VNODE: epoll for the inotify source");
    }
    List<Instance> opened = new ArrayList<>();
    ErrnoException failure = null;
    for (int i = 0; i < wanted; i++) {
      Inotify inotify = null;
      try {
        inotify = Inotify.open();
        epoll.add(inotify.fd(), Epoll.EPOLLIN, i);
        opened.add(new Instance(i, inotify));
      } catch (ErrnoException e) {
        closeQuietly(inotify);
        failure = e;
        break;
      }
    }
    if (opened.isEmpty()) {
      closeQuietly(epoll);
      throw instancesExhausted(failure);
    }
    if (failure != null) {
      LOG.log(Level.WARNING, "EVFILT_VNODE: " + opened.size() + " of " + wanted
          + " inotify instances: " + failure.getMessage());
    }
    EventFd wakeup = null;
    try {
      wakeup = EventFd.open();
      epoll.add(wakeup.fd(), Epoll.EPOLLIN, WAKEUP_TAG);
    } catch (ErrnoException e) {
      closeQuietly(wakeup);
      opened.forEach(instance -> closeQuietly(instance.inotify));
      closeQuietly(epoll);
      throw FreeBsdErrors.of(e, "EVFILT_VNODE: eventfd for the inotify source");
    }
    return new InotifyVnodeLoop(epoll, wakeup, opened.toArray(new Instance[0]));
  }

  private static KQueueException instancesExhausted(ErrnoException e) {
    if (e.errno() == LinuxErrno.EMFILE) {
      return new KQueueException("kevent", Errno.EMFILE,
          "EVFILT_VNODE: inotify_init1 failed: the per-user inotify instance limit "
              + "fs.inotify.max_user_instances (" + sysctl(MAX_USER_INSTANCES)
              + ") or the descriptor limit is reached", e);
    }
    return FreeBsdErrors.of(e, "EVFILT_VNODE: inotify_init1");
  }

  /** Number of {@code IN_Q_OVERFLOW} events handled since start. */
  long overflows() {
    return overflows.get();
  }

  // ---------------------------------------------------------------- registration

  /** Finds or starts the watch of the object behind {@code fd}, for a knote asking {@code notes}. */
  InotifyVnode acquire(int fd, int notes) throws KQueueException {
    String what = "EVFILT_VNODE on descriptor " + fd;
    FileStat st;
    try {
      st = Stat.fstat(fd);
    } catch (ErrnoException e) {
      throw FreeBsdErrors.of(e, what);
    }
    int type = st.mode() & FileStat.S_IFMT;
    if (type == FileStat.S_IFSOCK || type == FileStat.S_IFIFO) {
      throw new KQueueException("kevent", Errno.EINVAL,
          what + ": a socket or pipe is not a file system object");
    }
    InotifyVnode.Key key = new InotifyVnode.Key(st.dev(), st.ino());
    lock.lock();
    try {
      InotifyVnode vnode = byKey.get(key);
      if (vnode == null) {
        vnode = create(openPath(procPath(fd), what), key, what);
      }
      vnode.references++;
      vnode.interest.add(notes);
      refresh(vnode);
      try {
        updateMask(vnode);
        updateParent(vnode);
      } catch (KQueueException | RuntimeException e) {
        vnode.interest.remove(notes);
        quietly(vnode);
        unreference(vnode);
        throw e;
      }
      return vnode;
    } finally {
      lock.unlock();
    }
  }

  /** A knote changed its fflags ({@code f_touch}). */
  void changeInterest(InotifyVnode vnode, int before, int after) throws KQueueException {
    lock.lock();
    try {
      if (vnode.destroyed) {
        return;
      }
      vnode.interest.remove(before);
      vnode.interest.add(after);
      refresh(vnode);
      try {
        updateMask(vnode);
        updateParent(vnode);
      } catch (KQueueException | RuntimeException e) {
        vnode.interest.remove(after);
        vnode.interest.add(before);
        quietly(vnode);
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes the state of an object again when reads skipped it and a knote now asks for a bit that
   * needs it: a later change is then compared with the state at the knote's registration, not with
   * one from before changes already reported.
   */
  private static void refresh(InotifyVnode vnode) {
    if (vnode.stale && needsState(vnode)) {
      try {
        vnode.state = state(Stat.fstat(vnode.pathFd), -1).withLocation(vnode.state.location());
        vnode.stale = false;
      } catch (ErrnoException | RuntimeException e) {
        LOG.log(Level.DEBUG, "EVFILT_VNODE: fstat of " + vnode, e);
      }
    }
  }

  /** Whether a knote of the object asks for a bit derived from its state. */
  private static boolean needsState(InotifyVnode vnode) {
    return (vnode.interest.union() & InotifyNotes.STATE_NOTES) != 0;
  }

  /** A knote is gone. */
  void release(InotifyVnode vnode, int notes) {
    lock.lock();
    try {
      if (vnode.destroyed) {
        return;
      }
      vnode.interest.remove(notes);
      quietly(vnode);
      unreference(vnode);
    } finally {
      lock.unlock();
    }
  }

  /** A new watched object for {@code pathFd} (ours from now on: closed on failure). */
  private InotifyVnode create(int pathFd, InotifyVnode.Key key, String what)
      throws KQueueException {
    try {
      FileStat st = Stat.fstat(pathFd);
      if (st.dev() != key.dev() || st.ino() != key.ino()) {
        throw new KQueueException("kevent", Errno.EBADF,
            what + ": the descriptor changed while it was being registered");
      }
      Instance instance = instances[0];
      for (Instance each : instances) {
        if (each.watches < instance.watches) {
          instance = each;
        }
      }
      boolean directory = st.isDirectory();
      // the state first, then the watch: a change in between is reported, not absorbed
      VnodeState state = state(st, pathFd);
      InotifyVnode vnode = new InotifyVnode(this, key, directory, pathFd, instance, state);
      int mask = InotifyNotes.mask(directory, 0);
      int wd = instance.inotify.addWatch(procPath(pathFd), mask);
      vnode.wd = wd;
      vnode.mask = mask;
      InotifyVnode stale = instance.byWd.put(wd, vnode);
      if (stale != null && stale != vnode) {
        stale.wd = -1;
      } else {
        instance.watches++;
      }
      byKey.put(key, vnode);
      return vnode;
    } catch (ErrnoException e) {
      String path = pathOf(pathFd);
      closeQuietly(pathFd);
      throw FreeBsdErrors.of(e, path == null ? what : what + " (" + path + ")");
    } catch (KQueueException | RuntimeException e) {
      closeQuietly(pathFd);
      throw e;
    }
  }

  /** Widens (with {@code IN_MASK_ADD}) or narrows the watch to what the knotes ask for. */
  private void updateMask(InotifyVnode vnode) throws KQueueException {
    if (vnode.wd < 0 || vnode.destroyed) {
      return;
    }
    int wanted = InotifyNotes.mask(vnode.directory, vnode.interest.union());
    if (wanted == vnode.mask) {
      return;
    }
    boolean widening = (vnode.mask & ~wanted) == 0;
    try {
      vnode.instance.inotify.addWatch(procPath(vnode.pathFd),
          widening ? wanted | IN_MASK_ADD : wanted);
      vnode.mask = wanted;
    } catch (ErrnoException e) {
      throw FreeBsdErrors.of(e, "EVFILT_VNODE: changing the watch of " + vnode);
    }
  }

  /**
   * A directory whose knotes ask for {@code NOTE_DELETE} also keeps its parent watched: Linux
   * reports the removal of a directory that a descriptor holds open only to the parent ({@code
   * IN_DELETE|IN_ISDIR}), never on the directory's own watch.
   */
  private void updateParent(InotifyVnode vnode) throws KQueueException {
    boolean wanted = vnode.directory && !vnode.destroyed && vnode.wd >= 0
        && (vnode.interest.union() & NOTE_DELETE) != 0 && vnode.state.nlink() != 0;
    if (wanted && vnode.parent == null) {
      InotifyVnode parent = findParent(vnode);
      if (parent != null) {
        adopt(parent, vnode);
      }
    } else if (!wanted && vnode.parent != null) {
      disown(vnode);
    }
  }

  /** Narrows the watch and drops the parent as the knotes now ask; failures are logged. */
  private void quietly(InotifyVnode vnode) {
    try {
      updateMask(vnode);
      updateParent(vnode);
    } catch (KQueueException | RuntimeException e) {
      LOG.log(Level.DEBUG, "EVFILT_VNODE: updating the watch of " + vnode, e);
    }
  }

  /** The watched parent of a directory (found or newly watched), or null at the root. */
  private InotifyVnode findParent(InotifyVnode vnode) throws KQueueException {
    String what = "EVFILT_VNODE: the parent of " + vnode;
    int parentFd = openPath(Path.of("/proc/self/fd/" + vnode.pathFd + "/.."), what);
    FileStat st;
    try {
      st = Stat.fstat(parentFd);
    } catch (ErrnoException e) {
      closeQuietly(parentFd);
      throw FreeBsdErrors.of(e, what);
    }
    InotifyVnode.Key key = new InotifyVnode.Key(st.dev(), st.ino());
    InotifyVnode parent = byKey.get(key);
    if (key.equals(vnode.key) || parent != null) {
      closeQuietly(parentFd);
      return key.equals(vnode.key) ? null : parent;
    }
    return create(parentFd, key, what);
  }

  private static void adopt(InotifyVnode parent, InotifyVnode child) {
    parent.references++;
    parent.children.add(child);
    child.parent = parent;
  }

  private void disown(InotifyVnode child) {
    InotifyVnode parent = child.parent;
    child.parent = null;
    parent.children.remove(child);
    unreference(parent);
  }

  private void unreference(InotifyVnode vnode) {
    if (--vnode.references == 0) {
      destroy(vnode);
    }
  }

  /** Ends the watch of an object nobody refers to any more. */
  private void destroy(InotifyVnode vnode) {
    vnode.destroyed = true;
    if (vnode.parent != null) {
      disown(vnode);
    }
    if (vnode.wd >= 0) {
      vnode.instance.byWd.remove(vnode.wd, vnode);
      vnode.instance.watches--;
      try {
        vnode.instance.inotify.removeWatch(vnode.wd);
      } catch (ErrnoException e) {
        // EINVAL: the kernel removed it already; its IN_IGNORED finds no object
      }
      vnode.wd = -1;
    }
    byKey.remove(vnode.key, vnode);
    closeQuietly(vnode.pathFd);
    vnode.pathFd = -1;
  }

  // ---------------------------------------------------------------- the pump's source

  /**
   * One wait on the instances, then a turn on each that has events. When {@code epoll_wait} itself
   * fails, every watched object is revoked and the source stops.
   */
  @Override
  public void poll(long nanos) {
    int n;
    try {
      n = epoll.waitEvents(ready, EventPump.toMillis(nanos));
    } catch (ErrnoException | RuntimeException e) {
      LOG.log(Level.ERROR, "EVFILT_VNODE: epoll_wait failed; every watched object is revoked", e);
      revokeAll();
      throw new IllegalStateException("EVFILT_VNODE: epoll_wait failed", e);
    }
    gate.lock();
    try {
      for (int i = 0; i < n; i++) {
        long tag = ready.data(i);
        if (tag == WAKEUP_TAG) {
          wakeup.drain();
        } else {
          drain(instances[(int) tag]);
        }
      }
    } catch (ErrnoException | RuntimeException | Error e) {
      LOG.log(Level.ERROR, "EVFILT_VNODE: handling inotify events failed", e);
    } finally {
      gate.unlock();
    }
  }

  @Override
  public void wakeup() {
    try {
      wakeup.signal();
    } catch (ErrnoException e) {
      throw new IllegalStateException("EVFILT_VNODE: cannot wake the inotify leader", e);
    }
  }

  /** One turn on one instance: read, derive, post. */
  private void drain(Instance instance) {
    List<Post> posts = new ArrayList<>();
    lock.lock();
    try {
      reading = instance;
      overflowSeen = false;
      // a read that left room for the largest event emptied the queue, unless a rename's second
      // half may still be on its way; epoll reports what comes later
      int drained = instance.inotify.bufferSize() - Inotify.MIN_BUFFER_SIZE;
      for (int i = 0; i < READS_PER_TURN; i++) {
        int bytes;
        try {
          bytes = instance.inotify.readBytes(handler);
        } catch (ErrnoException e) {
          LOG.log(Level.WARNING, "EVFILT_VNODE: inotify read failed", e);
          break;
        }
        if (bytes == 0 || (bytes <= drained && !moves.isPending())) {
          break;
        }
      }
      moves.finish();
      if (overflowSeen) {
        overflows.incrementAndGet();
        for (InotifyVnode vnode : instance.byWd.values()) {
          vnode.overflowed = true;
          touch(vnode);
        }
      }
      for (int i = 0; i < touched.size(); i++) { // grows while it is walked
        InotifyVnode vnode = touched.get(i);
        if (vnode.destroyed) {
          continue;
        }
        if (vnode.parent != null && ((vnode.changes.self & IN_MOVE_SELF) != 0 || vnode.overflowed)) {
          reparent(vnode);
        }
        if (vnode.changes.subdirectoryRemoved || vnode.overflowed) {
          vnode.children.forEach(this::touch);
        }
      }
      for (InotifyVnode vnode : touched) {
        Post post = settle(vnode);
        if (post != null) {
          posts.add(post);
        }
        vnode.changes.clear();
        vnode.touched = false;
        vnode.overflowed = false;
      }
      touched.clear();
    } finally {
      reading = null;
      lock.unlock();
    }
    for (Post post : posts) {
      if (post.notes != 0) {
        post.vnode.post(post.notes);
      }
      if (post.revoke) {
        post.vnode.revoke();
      }
    }
  }

  /** {@link InotifyEvent.Handler}: one event of the current read; must not throw. */
  private void record(InotifyEvent event) {
    int mask = event.mask();
    if ((mask & IN_Q_OVERFLOW) != 0) {
      overflowSeen = true;
      return;
    }
    InotifyVnode vnode = reading.byWd.get(event.wd());
    if (vnode == null) {
      return;
    }
    touch(vnode);
    vnode.changes.record(mask, event.nameLength() > 0, event.cookie(), moves);
    if ((mask & IN_IGNORED) != 0) {
      reading.byWd.remove(event.wd(), vnode);
      reading.watches--;
      vnode.wd = -1;
    }
  }

  private void touch(InotifyVnode vnode) {
    if (!vnode.touched) {
      vnode.touched = true;
      touched.add(vnode);
    }
  }

  /** A watched directory moved: its parent may be another one now. */
  private void reparent(InotifyVnode vnode) {
    InotifyVnode old = vnode.parent;
    try {
      InotifyVnode parent = findParent(vnode);
      if (parent == old) {
        return;
      }
      if (parent != null) {
        adopt(parent, vnode);
      }
      old.children.remove(vnode);
      unreference(old);
      if (parent == null) {
        vnode.parent = null;
      }
    } catch (KQueueException | RuntimeException e) {
      LOG.log(Level.WARNING, "EVFILT_VNODE: the removal of directory " + vnode
          + " can no longer be seen: its new parent cannot be watched", e);
    }
  }

  /**
   * The bits for one object after a read, its new state, and whether it is revoked. The state is
   * taken only when a knote asks for a bit derived from it, the object moved (its location) or the
   * queue overflowed; otherwise it is marked stale. A stale state is no baseline for this read's
   * bits, which then come from the events alone; after an overflow it is compared all the same, so
   * that a change lost in the overflow is reported, possibly with one reported before.
   */
  private Post settle(InotifyVnode vnode) {
    if (vnode.destroyed) {
      return null;
    }
    InotifyNotes.Changes changes = vnode.changes;
    boolean moved = (changes.self & IN_MOVE_SELF) != 0;
    VnodeState before = vnode.state;
    VnodeState after = null;
    if (vnode.overflowed || moved || needsState(vnode)) {
      try {
        after = state(Stat.fstat(vnode.pathFd), -1).withLocation(before.location());
        if (moved || vnode.overflowed) {
          after = after.withLocation(location(vnode.pathFd));
        }
      } catch (ErrnoException | RuntimeException e) {
        LOG.log(Level.DEBUG, "EVFILT_VNODE: fstat of " + vnode, e);
      }
    } else {
      vnode.stale = true;
    }
    int notes = InotifyNotes.notes(vnode.directory, changes, vnode.stale ? null : before, after);
    if (vnode.overflowed && after != null) {
      notes |= after.notesSince(before) | (vnode.interest.union() & VnodeNotes.ACCESS);
    }
    if (after != null) {
      vnode.state = after;
      vnode.stale = false;
    }
    boolean revoke = (changes.self & IN_UNMOUNT) != 0
        || ((changes.self & IN_IGNORED) != 0 && (changes.self & IN_DELETE_SELF) == 0);
    if ((changes.self & IN_IGNORED) != 0 && vnode.parent != null) {
      disown(vnode);
    } else if (vnode.directory && vnode.parent != null && after != null && after.nlink() == 0) {
      disown(vnode); // removed: nothing more to see from the parent
    }
    return notes == 0 && !revoke ? null : new Post(vnode, notes, revoke);
  }

  private void revokeAll() {
    List<InotifyVnode> all;
    lock.lock();
    try {
      all = new ArrayList<>(byKey.values());
    } finally {
      lock.unlock();
    }
    all.forEach(InotifyVnode::revoke);
  }

  // ---------------------------------------------------------------- helpers for tests

  /** The watched object at {@code path}, or null. */
  InotifyVnode vnodeOf(Path path) throws ErrnoException {
    FileStat st = Stat.stat(path);
    lock.lock();
    try {
      return byKey.get(new InotifyVnode.Key(st.dev(), st.ino()));
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns once every event queued in any instance before the call has been read and posted:
   * the thread holds {@link #gate} from reading to posting, so an empty queue seen while holding
   * it means that all is done.
   */
  void awaitDrained() throws ErrnoException {
    while (true) {
      gate.lock();
      try {
        boolean empty = true;
        for (Instance instance : instances) {
          empty &= LibC.availableBytes(instance.inotify.fd()) == 0;
        }
        if (empty) {
          return;
        }
      } finally {
        gate.unlock();
      }
      Thread.yield();
    }
  }

  // ---------------------------------------------------------------- state

  private static VnodeState state(FileStat st, int pathFd) {
    return new VnodeState(st.dev(), st.ino(), st.mode(), st.nlink(), st.uid(), st.gid(), st.size(),
        st.mtimeNanos(), st.ctimeNanos(), pathFd < 0 ? null : location(pathFd));
  }

  /** Where the object is linked: its name and its parent's identity; null when deleted. */
  private static String location(int pathFd) {
    try {
      Path target = Files.readSymbolicLink(procPath(pathFd));
      if (!target.isAbsolute() || target.toString().endsWith(" (deleted)")
          || target.getParent() == null || target.getFileName() == null) {
        return null;
      }
      FileStat parent = Stat.stat(target.getParent());
      return VnodeState.location(parent.dev(), parent.ino(), target.getFileName().toString());
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** A current path of the object behind {@code fd}, for messages; null if unknown. */
  private static String pathOf(int fd) {
    try {
      return Files.readSymbolicLink(procPath(fd)).toString();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static Path procPath(int fd) {
    return Path.of("/proc/self/fd/" + fd);
  }

  /** {@code open(path, O_PATH | O_CLOEXEC)}: a reference that generates no open or close event. */
  private static int openPath(Path path, String what) throws KQueueException {
    try {
      return LibC.open(path, LibC.O_PATH | LibC.O_CLOEXEC);
    } catch (ErrnoException e) {
      throw FreeBsdErrors.of(e, what);
    }
  }

  private static void closeQuietly(int fd) {
    if (fd >= 0) {
      try {
        LibC.close(fd);
      } catch (ErrnoException e) {
        LOG.log(Level.DEBUG, "close of fd " + fd, e);
      }
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    if (closeable != null) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.log(Level.DEBUG, "close", e);
      }
    }
  }

  private static String sysctl(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] value = new byte[64];
      int n = in.read(value);
      return n <= 0 ? "unknown" : new String(value, 0, n, StandardCharsets.US_ASCII).trim();
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
