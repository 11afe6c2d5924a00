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
 * never post while holding a lock that {@link #acquire}, {@link Vnode#changeInterest} or {@link
 * Vnode#release} take, since posting takes knote list locks (see {@link
 * io.kqueue4j.kernel.KNoteList} for the lock order).
 *
 * <p>Implementations are thread-safe, and load on every OS: {@link #unavailabilityCause()} says
 * whether they can run, without throwing.
 */
public interface VnodeSource {

  /**
   * A short name for diagnostics, such as {@code "linux-inotify"}.
   *
   * @return the source's name, also the value of {@link VnodeSources#SOURCE_PROPERTY} that selects
   *     it
   */
  String name();

  /**
   * Higher wins when several sources are available.
   *
   * @return this source's rank; the polling fallback has {@link Integer#MIN_VALUE}
   */
  int priority();

  /**
   * Why this source cannot run here, or {@code null} when it can. Must not throw.
   *
   * @return the cause, or {@code null} when the source is available
   */
  Throwable unavailabilityCause();

  /**
   * The {@link io.kqueue4j.spi.DescriptorSupport#name()} whose descriptors this source understands
   * (such as {@code "linux"}), or {@code null} for any support that hands out real OS descriptors.
   *
   * @return the descriptor support's name, or {@code null} for any with real OS descriptors
   */
  String supportName();

  /**
   * The {@code NOTE_*} bits this source can observe. A registration asking for any other {@code
   * EVFILT_VNODE} bit fails with {@code EOPNOTSUPP}, so that no request is accepted and then
   * silently never reported.
   *
   * @return the mask of {@code NOTE_*} bits this source can report
   */
  int supportedNotes();

  /**
   * Starts watching the object that descriptor {@code fd} refers to for one knote whose {@code
   * fflags} are {@code notes}, or joins the watch already kept for that object, and returns it. Each
   * successful call is one reference, given back with {@link Vnode#release}.
   *
   * @param fd the descriptor given as the knote's {@code ident}
   * @param notes the knote's {@code fflags}, the {@code NOTE_*} bits it asks for
   * @return the watched object, shared by every knote on the same file system object
   * @throws KQueueException with FreeBSD's errno: {@code EBADF} when the descriptor is not open,
   *     {@code EINVAL} when it does not refer to a file system object, {@code ENOSPC} when an OS
   *     limit on watches is reached (the message names it)
   */
  Vnode acquire(int fd, int notes) throws KQueueException;
}
