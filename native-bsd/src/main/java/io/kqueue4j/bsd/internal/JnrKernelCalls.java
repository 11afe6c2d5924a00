package io.kqueue4j.bsd.internal;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.types.intptr_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.u_int32_t;

/**
 * {@link KernelCalls} bound with jnr-ffi to the C library (or libkqueue), in one of the three C
 * signatures {@link KeventLayout.CallStyle} names. Binding never calls anything; a symbol the
 * library lacks surfaces as a {@link LinkageError} on the first call (jnr-ffi 2.3 leaves the method
 * abstract: {@link AbstractMethodError}).
 */
public final class JnrKernelCalls implements KernelCalls {

  /** {@code kevent} with {@code int} counts: FreeBSD, macOS, OpenBSD, libkqueue. */
  public interface IntCounts {
    int kqueue();

    int kevent(int kq, @intptr_t long changelist, int nchanges, @intptr_t long eventlist,
        int nevents, @intptr_t long timeout);

    int close(int fd);
  }

  /** NetBSD's {@code kevent}, renamed in its headers, with {@code size_t} counts. */
  public interface SizeTCounts {
    int kqueue();

    int kevent(int kq, @intptr_t long changelist, @size_t long nchanges,
        @intptr_t long eventlist, @size_t long nevents, @intptr_t long timeout);

    int close(int fd);
  }

  /** macOS {@code kevent64}. */
  public interface Kevent64 {
    int kqueue();

    int kevent64(int kq, @intptr_t long changelist, int nchanges, @intptr_t long eventlist,
        int nevents, @u_int32_t int flags, @intptr_t long timeout);

    int close(int fd);
  }

  private final String library;
  private final IntCounts intCounts;
  private final SizeTCounts sizeTCounts;
  private final Kevent64 kevent64;
  private final Runtime runtime;

  private JnrKernelCalls(String library, IntCounts intCounts, SizeTCounts sizeTCounts,
      Kevent64 kevent64) {
    this.library = library;
    this.intCounts = intCounts;
    this.sizeTCounts = sizeTCounts;
    this.kevent64 = kevent64;
    Object bound = intCounts != null ? intCounts : sizeTCounts != null ? sizeTCounts : kevent64;
    this.runtime = Runtime.getRuntime(bound);
  }

  /**
   * Binds {@code library} (a name such as {@code "c"} or {@code "kqueue"}, or a path) for {@code
   * layout}'s entry point.
   *
   * @throws UnsatisfiedLinkError when the library cannot be loaded
   */
  public static JnrKernelCalls bind(String library, KeventLayout layout) {
    switch (layout.callStyle()) {
      case INT_COUNTS:
        return new JnrKernelCalls(library,
            LibraryLoader.create(IntCounts.class).failImmediately().load(library), null, null);
      case SIZE_T_COUNTS:
        return new JnrKernelCalls(library, null,
            LibraryLoader.create(SizeTCounts.class).map("kevent", layout.symbol())
                .failImmediately().load(library),
            null);
      case KEVENT64:
        return new JnrKernelCalls(library, null, null,
            LibraryLoader.create(Kevent64.class).failImmediately().load(library));
      default:
        throw new AssertionError(layout);
    }
  }

  @Override
  public int kqueue() {
    return intCounts != null ? intCounts.kqueue()
        : sizeTCounts != null ? sizeTCounts.kqueue() : kevent64.kqueue();
  }

  @Override
  public int kevent(int kq, long changes, int nchanges, long events, int nevents, long timeout) {
    if (intCounts != null) {
      return intCounts.kevent(kq, changes, nchanges, events, nevents, timeout);
    }
    if (sizeTCounts != null) {
      return sizeTCounts.kevent(kq, changes, nchanges, events, nevents, timeout);
    }
    return kevent64.kevent64(kq, changes, nchanges, events, nevents, 0, timeout);
  }

  @Override
  public int close(int fd) {
    return intCounts != null ? intCounts.close(fd)
        : sizeTCounts != null ? sizeTCounts.close(fd) : kevent64.close(fd);
  }

  @Override
  public int errno() {
    return LastError.getLastError(runtime);
  }

  @Override
  public String name() {
    return library;
  }
}
