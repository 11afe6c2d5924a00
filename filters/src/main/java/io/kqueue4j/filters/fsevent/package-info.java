/**
 * {@code EVFILT_FSEVENT}: recursive file-system event streams after XNU's {@code vfs_fsevents.c}.
 *
 * <p>An {@link io.kqueue4j.filters.fsevent.FsWatcher} watches one or more directory trees and
 * queues {@link io.kqueue4j.filters.fsevent.FsEvent} records of the {@link
 * io.kqueue4j.filters.fsevent.FsEventType types} it asked for; {@link
 * io.kqueue4j.filters.fsevent.FsEventFilter} makes it visible to a kqueue ({@code ident} = the
 * watcher's id, {@code data} = records queued). The changes come from an {@link
 * io.kqueue4j.filters.fsevent.FsEventSource} found with {@link java.util.ServiceLoader}: inotify in
 * module {@code native-linux}, or the portable {@link
 * io.kqueue4j.filters.fsevent.WatchServiceFsEventSource}.
 *
 * <h2>Threads and memory consistency</h2>
 *
 * A source calls a watcher's {@link io.kqueue4j.filters.fsevent.FsEventSink} from one thread at a
 * time (the source serializes its threads per watcher). Records pass to the reader through a JCTools
 * {@code MpscArrayQueue}: the source's actions before it queued a record happen-before the reader's
 * actions after it read the record. One reader at a time; an overlapping read fails with {@code
 * EAGAIN}. Lock order: the source's per-watcher lock, then the watcher's {@link
 * io.kqueue4j.kernel.KNoteList} lock (taken by {@code flush}), then a kqueue's lock.
 *
 * <p>See {@code docs/fsevent.md} for the record fields, coalescing, the queue and its drop marker,
 * and the limits.
 */
package io.kqueue4j.filters.fsevent;
