package io.kqueue4j.linux.vnode;

import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.vnode.NoteCounts;
import io.kqueue4j.filters.vnode.Vnode;
import io.kqueue4j.filters.vnode.VnodeState;
import io.kqueue4j.kernel.EventPump;
import java.util.ArrayList;
import java.util.List;

/**
 * One object watched through inotify: an {@code O_PATH} descriptor of our own that keeps it
 * reachable for {@code fstat} whatever the user does with theirs, its watch in one of the shared
 * instances, its last known state, and what the current read of events says about it. Every field
 * is guarded by the loop's lock.
 */
final class InotifyVnode extends Vnode {
  final InotifyVnodeLoop loop;
  final Key key;
  final boolean directory;
  /** Our {@code O_PATH} descriptor of the object; -1 once closed. */
  int pathFd;
  final InotifyVnodeLoop.Instance instance;
  /** The watch descriptor, -1 when the watch is gone. */
  int wd;
  /** The inotify mask in force. */
  int mask;
  /** Knotes plus watched subdirectories that use this one as their parent. */
  int references;
  final NoteCounts interest = new NoteCounts();
  VnodeState state;
  /**
   * {@link #state} missed the changes of reads that needed no state (see {@link
   * InotifyNotes#STATE_NOTES}); its location is still current.
   */
  boolean stale;
  /** The parent directory watched to see this directory removed, or null. */
  InotifyVnode parent;
  /** Watched directories whose parent this is. */
  final List<InotifyVnode> children = new ArrayList<>();
  /** The current read's events on this object. */
  final InotifyNotes.Changes changes = new InotifyNotes.Changes();
  /** Whether this object is on the current read's list of objects to re-check. */
  boolean touched;
  /** The queue overflowed: compare states only. */
  boolean overflowed;
  /** Stopped: released by its last user. */
  boolean destroyed;

  /** A watched object's identity. */
  record Key(long dev, long ino) {}

  InotifyVnode(InotifyVnodeLoop loop, Key key, boolean directory, int pathFd,
      InotifyVnodeLoop.Instance instance, VnodeState state) {
    this.loop = loop;
    this.key = key;
    this.directory = directory;
    this.pathFd = pathFd;
    this.instance = instance;
    this.state = state;
    this.wd = -1;
  }

  @Override
  public void changeInterest(int before, int after) throws KQueueException {
    loop.changeInterest(this, before, after);
  }

  @Override
  public void release(int fd, int notes) {
    loop.release(this, notes);
  }

  @Override
  public EventPump pump() {
    return loop.pump();
  }

  @Override
  public String toString() {
    return "InotifyVnode[dev=" + key.dev() + ", ino=" + key.ino() + ", wd=" + wd + "]";
  }
}
