/**
 * The public API: {@link io.kqueue4j.KQueue}, {@link io.kqueue4j.KEvent} with the constants of
 * {@code sys/event.h}, {@link io.kqueue4j.KEventBuffer}, {@link io.kqueue4j.KQueueException}, {@link
 * io.kqueue4j.Errno} and {@link io.kqueue4j.FileDescriptors}.
 */
package io.kqueue4j;
