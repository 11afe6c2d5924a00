/**
 * The Linux sources of {@code EVFILT_FSEVENT} watchers, registered with {@link
 * java.util.ServiceLoader} as {@link io.kqueue4j.filters.fsevent.FsEventSource}s:
 *
 * <ul>
 *   <li>{@link io.kqueue4j.linux.fsevent.InotifyFsEventSource} ({@code "linux-inotify"}, the
 *       default): a watch per directory, new directories watched before they are listed, renames
 *       paired by cookie, {@code IN_Q_OVERFLOW} reported as a drop marker followed by a rescan,
 *       symbolic links never followed below a root.
 *   <li>{@link io.kqueue4j.linux.fsevent.FanotifyFsEventSource} ({@code "linux-fanotify"}, chosen
 *       with {@code FsWatcher.builder().source(...)}): one filesystem-wide fanotify mark per
 *       filesystem the roots span, events mapped to paths through the directory handles of the
 *       tree; needs {@code CAP_SYS_ADMIN}, faster to start on large trees and lighter on memory.
 * </ul>
 */
package io.kqueue4j.linux.fsevent;
