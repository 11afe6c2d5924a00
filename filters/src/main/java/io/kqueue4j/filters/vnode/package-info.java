/**
 * {@code EVFILT_VNODE}: changes to files and directories, with FreeBSD's meaning of every {@code
 * NOTE_*} bit.
 *
 * <h2>Structure</h2>
 *
 * The kernel's descriptor trampoline hands a knote on a file or directory descriptor to {@link
 * io.kqueue4j.filters.vnode.VnodeFilter} ({@code fo_kqfilter}). The filter asks the {@link
 * io.kqueue4j.filters.vnode.VnodeSource} in use ({@link io.kqueue4j.filters.vnode.VnodeSources})
 * for the {@link io.kqueue4j.filters.vnode.Vnode} of the descriptor's object: one per object,
 * shared by every knote on it, whatever the descriptor or kqueue, as FreeBSD shares the vnode's
 * knote list. The source watches the object from its own thread and posts {@code NOTE_*} hints to
 * that list ({@code VFS_KNOTE}); the filter keeps the requested ones in {@code fflags}.
 *
 * <h2>Sources</h2>
 *
 * <ul>
 *   <li>{@code linux-inotify} (module {@code native-linux}): a few inotify instances shared by the
 *       whole process and one thread; see {@code io.kqueue4j.linux.vnode} for how inotify's events
 *       become FreeBSD's bits and where Linux cannot tell what FreeBSD tells.
 *   <li>{@code portable-stat-polling} ({@link io.kqueue4j.filters.vnode.PollingVnodeSource}): the
 *       fallback, one thread that compares {@code stat} results every 500 ms. It says so in a
 *       warning when it is chosen and through {@link
 *       io.kqueue4j.filters.vnode.VnodeSources#isFallback()}.
 * </ul>
 *
 * <p>{@code docs/vnode.md} has the full mapping table and every difference from FreeBSD.
 *
 * <h2>Locks</h2>
 *
 * A source's own lock is taken inside a knote list's lock ({@link
 * io.kqueue4j.filters.vnode.Vnode#changeInterest} runs from {@code f_touch}), never around one:
 * sources post with no lock of their own held.
 */
package io.kqueue4j.filters.vnode;
