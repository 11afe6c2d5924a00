/**
 * {@code EVFILT_VNODE} on Linux: {@link io.kqueue4j.linux.vnode.InotifyVnodeSource}, the source
 * behind {@link io.kqueue4j.filters.vnode.VnodeFilter} when this module is on the class path.
 *
 * <h2>Structure</h2>
 *
 * One loop per process ({@code InotifyVnodeLoop}): two inotify instances shared by every kqueue,
 * registered in one epoll instance, and one daemon thread, {@code kqueue4j-vnode-inotify}. Each
 * watched object (device and inode) has one {@code InotifyVnode} whatever the number of
 * descriptors, knotes and kqueues on it: an {@code O_PATH} descriptor of its own (opened through
 * {@code /proc/self/fd/N}, which reaches the open object even after a rename or unlink, and which
 * generates no open or close event), one watch whose mask is the union of what the knotes ask for
 * (widened with {@code IN_MASK_ADD}, narrowed by replacing it), and its last {@code fstat}.
 *
 * <h2>From inotify to FreeBSD's bits</h2>
 *
 * <table>
 *   <caption>What each inotify event becomes</caption>
 *   <tr><th>inotify</th><th>{@code NOTE_*}</th></tr>
 *   <tr><td>{@code IN_MODIFY} on a file</td><td>{@code NOTE_WRITE}; {@code +NOTE_EXTEND} when
 *       {@code fstat} shows it grew, {@code +NOTE_ATTRIB} when it shrank (a truncation, FreeBSD's
 *       {@code NOTE_ATTRIB})</td></tr>
 *   <tr><td>{@code IN_ATTRIB}</td><td>a link count that went up: {@code NOTE_LINK}; down:
 *       {@code NOTE_DELETE} (FreeBSD posts it on every remove of a name and on a file replaced by
 *       a rename); on a directory, 0: {@code NOTE_DELETE}, other changes {@code NOTE_LINK};
 *       otherwise, or with more events than link changes, or new mode, owner or times:
 *       {@code NOTE_ATTRIB}</td></tr>
 *   <tr><td>{@code IN_MOVE_SELF}</td><td>{@code NOTE_RENAME}</td></tr>
 *   <tr><td>{@code IN_DELETE_SELF}</td><td>{@code NOTE_DELETE}</td></tr>
 *   <tr><td>{@code IN_CREATE}, {@code IN_DELETE}, {@code IN_MOVED_FROM}, {@code IN_MOVED_TO} on
 *       a directory</td><td>{@code NOTE_WRITE}; {@code +NOTE_LINK} for a subdirectory created or
 *       removed; a rename to or from another directory (its two halves not paired by cookie in
 *       one read) {@code +NOTE_EXTEND}, {@code +NOTE_LINK} when a directory moved</td></tr>
 *   <tr><td>{@code IN_OPEN}, {@code IN_CLOSE_NOWRITE}, {@code IN_CLOSE_WRITE}, {@code
 *       IN_ACCESS}</td><td>{@code NOTE_OPEN}, {@code NOTE_CLOSE}, {@code NOTE_CLOSE_WRITE},
 *       {@code NOTE_READ}; watched only while a knote asks for them</td></tr>
 *   <tr><td>{@code IN_UNMOUNT}, or {@code IN_IGNORED} without {@code IN_DELETE_SELF}</td>
 *       <td>{@code NOTE_REVOKE}: {@code EV_EOF}, also without interest</td></tr>
 *   <tr><td>{@code IN_Q_OVERFLOW}</td><td>every object of the instance compared with its last
 *       state: size, times, link count, mode and owner, name and parent; the access bits a knote
 *       asks for are reported as possibly lost</td></tr>
 * </table>
 *
 * <p>A directory watched for {@code NOTE_DELETE} also has its parent watched: Linux tells of the
 * removal of a directory that a descriptor holds open only in the parent's {@code
 * IN_DELETE|IN_ISDIR}. {@code docs/vnode.md} lists every place where Linux cannot tell what FreeBSD
 * tells.
 *
 * <h2>Locks</h2>
 *
 * The loop's lock guards every watch and object; it is taken inside a knote list's lock ({@code
 * f_touch}) and never around one: events are posted after it is released. Each turn of the thread
 * (read, derive, post) runs under a second lock, the gate, which tests hold to let events pile up
 * or to wait until all queued events have been posted.
 */
package io.kqueue4j.linux.vnode;
