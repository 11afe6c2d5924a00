/**
 * {@link io.kqueue4j.FileDescriptors} on FreeBSD, macOS, NetBSD and OpenBSD: {@link
 * io.kqueue4j.bsd.descriptor.PosixDescriptorSupport}, real descriptors from the C library, which
 * the native kqueue takes as idents. Not an API: found by {@link java.util.ServiceLoader} through
 * {@link io.kqueue4j.spi.DescriptorSupport}.
 *
 * <p>Every class loads on any OS; the C library is bound on first use, and a failure to bind is
 * reported by {@code unavailabilityCause()}, never thrown while loading.
 */
package io.kqueue4j.bsd.descriptor;
