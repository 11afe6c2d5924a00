/**
 * The recursive file-system watcher of the BSDs, {@code "kqueue-vnode"}: an {@link
 * io.kqueue4j.filters.fsevent.FsEventSource} that keeps one {@code EVFILT_VNODE} knote per
 * directory (and per regular file when content or attribute events are wanted) and turns a
 * directory's change into creates, deletes and renames by listing it again and comparing with its
 * last listing. See {@link io.kqueue4j.bsd.fsevent.VnodeFsEventSource} and {@code
 * docs/native-bsd.md}.
 *
 * <p><b>Locks.</b> A tree's lock is held while it lists, registers knotes and calls its sink; the
 * sink's calls take the watcher's knote list lock and then kqueue locks (see {@code
 * io.kqueue4j.filters.fsevent}), never this package's. The source's own lock guards only the
 * creation and closing of its kqueue and thread, and is never held while a tree's lock is taken.
 */
package io.kqueue4j.bsd.fsevent;
