/**
 * The Linux source of {@code EVFILT_FSEVENT} watchers: {@link
 * io.kqueue4j.linux.fsevent.InotifyFsEventSource}, registered with {@link java.util.ServiceLoader}
 * as an {@link io.kqueue4j.filters.fsevent.FsEventSource}. A watch per directory, new directories
 * watched before they are listed, renames paired by cookie, {@code IN_Q_OVERFLOW} reported as a
 * drop marker followed by a rescan, symbolic links never followed below a root.
 */
package io.kqueue4j.linux.fsevent;
