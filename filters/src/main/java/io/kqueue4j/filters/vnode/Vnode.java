package io.kqueue4j.filters.vnode;

import static io.kqueue4j.KEvent.NOTE_REVOKE;

import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.EventPump;
import io.kqueue4j.kernel.KNoteList;

/**
 * One watched file system object, FreeBSD's {@code struct vnode} as far as {@code EVFILT_VNODE}
 * sees it: the knote list {@code v_pollinfo->vpi_selinfo.si_note} that every knote on the object
 * is attached to, whichever descriptor and kqueue it came from, and the {@code VBAD} state of a
 * revoked vnode.
 *
 * <p>A {@link VnodeSource} subclasses it to keep its own watch state and posts with {@link #post}
 * ({@code VFS_KNOTE_UNLOCKED(vp, hint)}). {@link VnodeFilter} calls {@link #changeInterest} and
 * {@link #release}; they may be called from any thread, also under the knote list's lock.
 */
public abstract class Vnode {
  private final KNoteList knotes = new KNoteList();
  private volatile boolean revoked;

  /** A new object with no knotes, not revoked; for subclasses in sources. */
  protected Vnode() {}

  /**
   * The knotes attached to this object.
   *
   * @return the object's knote list, {@code si_note}
   */
  public final KNoteList knotes() {
    return knotes;
  }

  /**
   * {@code VFS_KNOTE_UNLOCKED(vp, notes)}: tells every knote on the object that the {@code NOTE_*}
   * events in {@code notes} happened. Call it with no lock held that {@link #changeInterest} or
   * {@link #release} take.
   *
   * @param notes the {@code NOTE_*} bits that happened; 0 posts nothing
   */
  public final void post(int notes) {
    if (notes != 0) {
      knotes.post(Integer.toUnsignedLong(notes));
    }
  }

  /**
   * The object can no longer be observed ({@code vgone}: its file system was unmounted, or the OS
   * dropped the watch): posts {@code NOTE_REVOKE}, and from now on every re-check of a knote on it
   * reports {@code EV_EOF}, as {@code filt_vfsvnode} does for a {@code VBAD} vnode.
   */
  public final void revoke() {
    revoked = true;
    knotes.post(NOTE_REVOKE);
  }

  /**
   * The pump that polls this object's source, if it has one: a kqueue with knotes on the object
   * lets its {@code kevent} caller poll the source itself (see {@link EventPump}).
   *
   * @return the source's pump, or {@code null} (the default) when the source runs its own threads
   */
  public EventPump pump() {
    return null;
  }

  /**
   * Whether {@link #revoke()} was called.
   *
   * @return {@code true} once the object is revoked; it stays so
   */
  public final boolean isRevoked() {
    return revoked;
  }

  /**
   * A knote on this object changed its {@code fflags} from {@code before} to {@code after} ({@code
   * EV_ADD} on an existing knote): the source may watch for more or fewer events.
   *
   * @param before the knote's {@code NOTE_*} bits until now
   * @param after the knote's new {@code NOTE_*} bits
   * @throws KQueueException when the OS refuses the wider watch
   */
  public abstract void changeInterest(int before, int after) throws KQueueException;

  /**
   * A knote registered through descriptor {@code fd} with {@code fflags} {@code notes} is gone:
   * gives back the reference {@link VnodeSource#acquire} took. The last one ends the watch.
   *
   * @param fd the descriptor the knote was registered through
   * @param notes the knote's {@code NOTE_*} bits when it went
   */
  public abstract void release(int fd, int notes);
}
