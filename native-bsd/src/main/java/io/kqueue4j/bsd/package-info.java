/**
 * The native kqueue backend: {@link io.kqueue4j.bsd.BsdKQueueProvider}, the OS's own {@code
 * kqueue(2)} behind the {@link io.kqueue4j.KQueue} API, on FreeBSD, macOS, NetBSD and OpenBSD, and
 * over libkqueue on Linux. See {@code docs/native-bsd.md}.
 */
package io.kqueue4j.bsd;
