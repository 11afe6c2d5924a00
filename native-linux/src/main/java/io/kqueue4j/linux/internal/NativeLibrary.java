package io.kqueue4j.linux.internal;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * One small jnr-ffi interface bound to the C library, or the reason it could not be bound.
 *
 * <p>Loading never throws: a missing library, a missing jffi stub or an unsupported ABI is kept as
 * {@link #cause()}. A symbol that the C library lacks is reported by jnr-ffi as an {@link
 * UnsatisfiedLinkError} when it is first called, which is what the availability probes catch.
 *
 * @param <T> the jnr-ffi interface
 */
public final class NativeLibrary<T> {

  private final T functions;
  private final Throwable cause;

  private NativeLibrary(T functions, Throwable cause) {
    this.functions = functions;
    this.cause = cause;
  }

  /** Binds {@code type} against libc; never throws. */
  public static <T> NativeLibrary<T> load(Class<T> type) {
    try {
      String unsupported = Abi.unsupportedReason();
      if (unsupported != null) {
        return new NativeLibrary<>(null, new UnsupportedOperationException(unsupported));
      }
      return new NativeLibrary<>(LibraryLoader.create(type).load("c"), null);
    } catch (Throwable t) { // LinkageError when jffi's native stub cannot load, among others
      return new NativeLibrary<>(null, t);
    }
  }

  /** The bound functions, or null when {@link #cause()} is set. */
  public T functions() {
    return functions;
  }

  /** Why binding failed, or null. */
  public Throwable cause() {
    return cause;
  }

  /** The {@code errno} that the last call on this thread saved. */
  public static int errno() {
    return LastError.getLastError(Runtime.getSystemRuntime());
  }
}
