package io.kqueue4j.linux.vnode;

import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.vnode.Vnode;
import io.kqueue4j.filters.vnode.VnodeNotes;
import io.kqueue4j.filters.vnode.VnodeSource;
import io.kqueue4j.linux.Epoll;
import io.kqueue4j.linux.Inotify;
import io.kqueue4j.linux.LibC;
import io.kqueue4j.linux.Stat;

/**
 * {@code "linux-inotify"}: the Linux source of {@code EVFILT_VNODE}. A few inotify instances (two
 * unless system property {@value InotifyVnodeLoop#INSTANCES_PROPERTY} says otherwise) shared by
 * every kqueue of the process, one watch per watched object whatever the number of knotes on it,
 * and one thread for all of them. See the package documentation for how inotify's events become
 * FreeBSD's bits, and where Linux cannot tell what FreeBSD tells.
 *
 * <p>Costs: one watch of {@code fs.inotify.max_user_watches} and one {@code O_PATH} descriptor per
 * watched object (plus one for the parent of a directory watched for {@code NOTE_DELETE}); one
 * instance of {@code fs.inotify.max_user_instances} per instance. When the watch limit is reached
 * registration fails with {@code ENOSPC} and a message naming the limit.
 */
public final class InotifyVnodeSource implements VnodeSource {
  public static final String NAME = "linux-inotify";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return 100;
  }

  @Override
  public Throwable unavailabilityCause() {
    try {
      Throwable why = LibC.unavailabilityCause();
      if (why == null) {
        why = Inotify.unavailabilityCause();
      }
      if (why == null) {
        why = Epoll.unavailabilityCause();
      }
      if (why == null) {
        why = Stat.unavailabilityCause();
      }
      return why;
    } catch (LinkageError e) {
      return e;
    }
  }

  @Override
  public String supportName() {
    return "linux";
  }

  @Override
  public int supportedNotes() {
    return VnodeNotes.ALL;
  }

  @Override
  public Vnode acquire(int fd, int notes) throws KQueueException {
    return InotifyVnodeLoop.get().acquire(fd, notes);
  }

  /** The number of inotify queue overflows handled (by re-checking every object) since start. */
  public static long overflows() {
    InotifyVnodeLoop loop = InotifyVnodeLoop.peek();
    return loop == null ? 0 : loop.overflows();
  }
}
