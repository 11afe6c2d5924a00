/**
 * Internals of the native backend, not an API: the {@code struct kevent} layouts ({@link
 * io.kqueue4j.bsd.internal.KeventLayout}), the constant and errno translation ({@link
 * io.kqueue4j.bsd.internal.Dialect}), the udata tokens ({@link
 * io.kqueue4j.bsd.internal.UdataTokens}), the seam to the C library ({@link
 * io.kqueue4j.bsd.internal.KernelCalls}) and the queue itself ({@link
 * io.kqueue4j.bsd.internal.NativeKQueue}).
 *
 * <p>{@code EVFILT_FSEVENT} is bridged to a kernel {@code EVFILT_USER} knote ({@link
 * io.kqueue4j.bsd.internal.FsEventBridge}), triggered by the process-wide {@link
 * io.kqueue4j.bsd.internal.FsEventRelay}; {@link io.kqueue4j.bsd.internal.LibcFiles} opens the
 * descriptors that native {@code EVFILT_VNODE} knotes of the recursive watcher use.
 *
 * <p><b>Locks.</b> A queue's lock guards its tokens, its list of waiting threads and its bridged
 * {@code EVFILT_FSEVENT} knotes, and is held across the {@code kevent} call that applies changes
 * (which never blocks: its timeout is zero); it is never held across a blocking {@code kevent},
 * nor while entering or leaving the JDK's interrupt hook. The wake-up buffer's monitor is taken
 * after the lock, never before. The relay's monitor is taken after a queue's lock (to subscribe),
 * never before: the relay tells queues with no monitor of its own held.
 */
package io.kqueue4j.bsd.internal;
