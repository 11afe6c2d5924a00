/**
 * Internals of the native backend, not an API: the {@code struct kevent} layouts ({@link
 * io.kqueue4j.bsd.internal.KeventLayout}), the constant and errno translation ({@link
 * io.kqueue4j.bsd.internal.Dialect}), the udata tokens ({@link
 * io.kqueue4j.bsd.internal.UdataTokens}), the seam to the C library ({@link
 * io.kqueue4j.bsd.internal.KernelCalls}) and the queue itself ({@link
 * io.kqueue4j.bsd.internal.NativeKQueue}).
 *
 * <p><b>Locks.</b> A queue's lock guards its tokens and its list of waiting threads, and is held
 * across the {@code kevent} call that applies changes (which never blocks: its timeout is zero);
 * it is never held across a blocking {@code kevent}, nor while entering or leaving the JDK's
 * interrupt hook. The wake-up buffer's monitor is taken after the lock, never before.
 */
package io.kqueue4j.bsd.internal;
