package io.kqueue4j.filters.vnode;

import io.kqueue4j.KQueueException;

/**
 * Service interface of the event sources behind {@code EVFILT_VNODE}, found with {@link
 * java.util.ServiceLoader}: module {@code native-linux} contributes one on inotify. {@link
 * VnodeSources} uses the available source with the highest {@link #priority()} among those that
 * understand the descriptors of {@link io.kqueue4j.FileDescriptors#support()}, and otherwise the
 * portable {@link PollingVnodeSource}.
 *
 * <p>A source keeps one {@link Vnode} per watched object (a file system object, whatever the number
 * of descriptors and knotes that refer to it) and posts to it what happens to the object. It must
 * never post while holding a lock that {@link Vnode#acquire}-side calls take, since posting takes
 * knote list locks (see {@link io.kqueue4j.kernel.KNoteList} for the lock order).
 *
 * <p>Implementations are thread-safe, and load on every OS: {@link #unavailabilityCause()} says
 * whether they can run, without throwing.
 */
public interface VnodeSource {

  /** A short name for diagnostics, such as {@code "linux-inotify"}. */
  String name();

  /** Higher wins when several sources are available. */
  int priority();

  /** Why this source cannot run here, or {@code null} when it can. Must not throw. */
  Throwable unavailabilityCause();

  /**
   * The {@link io.kqueue4j.spi.DescriptorSupport#name()} whose descriptors this source understands
   * (such as {@code "linux"}), or {@code null} for any support that hands out real OS descriptors.
   */
  String supportName();

  /**
   * The {@code NOTE_*} bits this source can observe. A registration asking for any other {@code
   * EVFILT_VNODE} bit fails with {@code EOPNOTSUPP}, so that no request is accepted and then
   * silently never reported.
   */
  int supportedNotes();

  /**
   * Starts watching the object that descriptor {@code fd} refers to for one knote whose {@code
   * fflags} are {@code notes}, or joins the watch already kept for that object, and returns it. Each
   * successful call is one reference, given back with {@link Vnode#release}.
   *
   * @throws KQueueException with FreeBSD's errno: {@code EBADF} when the descriptor is not open,
   *     {@code EINVAL} when it does not refer to a file system object, {@code ENOSPC} when an OS
   *     limit on watches is reached (the message names it)
   */
  Vnode acquire(int fd, int notes) throws KQueueException;
}
