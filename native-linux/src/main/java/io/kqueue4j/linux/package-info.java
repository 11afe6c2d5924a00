/**
 * Low-level Linux bindings through JNR-FFI: {@link io.kqueue4j.linux.Epoll}, {@link
 * io.kqueue4j.linux.EventFd}, {@link io.kqueue4j.linux.Inotify}, {@link io.kqueue4j.linux.PidFd},
 * {@link io.kqueue4j.linux.Stat} and the plain calls of {@link io.kqueue4j.linux.LibC}. The
 * descriptors inside JDK objects are read by kqueue-core's {@link
 * io.kqueue4j.spi.ChannelDescriptors}, which needs no native call and serves every OS.
 *
 * <p>Every class loads on any OS. Each facility is probed once, by making the call, and says so
 * through {@code isAvailable()} and {@code unavailabilityCause()}; using an unavailable one throws
 * {@link java.lang.UnsupportedOperationException} with the probe's failure as cause. A failed call
 * throws {@link io.kqueue4j.linux.ErrnoException} carrying Linux's errno and its symbolic name.
 * Constants have the asm-generic values of x86_64, aarch64, riscv64 and loongarch64.
 *
 * <p>Nothing here depends on kqueue-core; the glue that makes these the event sources of the
 * emulated kqueue lives elsewhere.
 */
package io.kqueue4j.linux;
