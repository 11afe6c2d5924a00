package io.kqueue4j.bsd.internal;

import static io.kqueue4j.KEvent.EVFILT_USER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_RECEIPT;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.Platform;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.TypeAlias;

/**
 * Finds the native kqueue of this process, once: which library, which entry point, which {@code
 * struct kevent} layout, and whether it works. Never throws; a failure is kept as the cause.
 *
 * <p>The OS is taken from jnr-ffi's platform detection (the OS name, no version string). Where one
 * OS has had several layouts, the layout is found by probing what the bound entry point does:
 *
 * <ul>
 *   <li>FreeBSD: {@link #probeFreeBsd} submits changes whose 64-byte and 32-byte readings differ
 *       and sees where the receipts land, so the result is what the bound {@code kevent} symbol
 *       expects, whatever the kernel's version.
 *   <li>NetBSD: {@code __kevent100} (NetBSD 11, with {@code ext[4]}) when libc has it, else {@code
 *       __kevent50}.
 *   <li>macOS, OpenBSD and libkqueue have one layout each.
 * </ul>
 *
 * <p>Then a queue is opened and closed, with its {@code EVFILT_USER} wake-up knote registered.
 * System properties: {@value #LIBRARY_PROPERTY} names the library (a name for the platform's
 * search, or a path; default {@code c}, and {@code kqueue} on Linux), {@value #LAYOUT_PROPERTY}
 * forces a layout by {@link KeventLayout#id()}.
 */
public final class NativeProbe {
  public static final String LIBRARY_PROPERTY = "kqueue4j.native.library";
  public static final String LAYOUT_PROPERTY = "kqueue4j.native.layout";

  /** What was found. */
  public static final class Result {
    private final KernelCalls calls;
    private final KeventLayout layout;
    private final Throwable cause;

    Result(KernelCalls calls, KeventLayout layout, Throwable cause) {
      this.calls = calls;
      this.layout = layout;
      this.cause = cause;
    }

    /** The bound calls, or null when unavailable. */
    public KernelCalls calls() {
      return calls;
    }

    /** The layout, or null when unavailable. */
    public KeventLayout layout() {
      return layout;
    }

    /** Why the native kqueue cannot be used, or null. */
    public Throwable cause() {
      return cause;
    }
  }

  private static final class Holder {
    static final Result RESULT = probe();
  }

  private NativeProbe() {}

  /** The result for this process, probed on first use. */
  public static Result get() {
    return Holder.RESULT;
  }

  private static Result probe() {
    try {
      return probe(Platform.getNativePlatform().getOS(), Runtime.getSystemRuntime(),
          System.getProperty(LIBRARY_PROPERTY), System.getProperty(LAYOUT_PROPERTY));
    } catch (Throwable t) { // jffi's stub missing for this platform, among others
      return unavailable("no native kqueue: jnr-ffi cannot run here (" + t + ")", t);
    }
  }

  static Result probe(Platform.OS os, Runtime runtime, String library, String forcedLayout) {
    int timeT = runtime.findType(TypeAlias.time_t).size();
    if (runtime.addressSize() != 8 || runtime.longSize() != 8 || timeT != 8) {
      return unavailable("no native kqueue: only LP64 ABIs are supported (pointer, long and time_t"
          + " of 8 bytes); this one has " + runtime.addressSize() + ", " + runtime.longSize()
          + " and " + timeT, null);
    }
    KeventLayout forced = null;
    if (forcedLayout != null) {
      forced = KeventLayout.byId(forcedLayout);
      if (forced == null) {
        return unavailable("no native kqueue: unknown -D" + LAYOUT_PROPERTY + "=" + forcedLayout,
            null);
      }
    }
    String lib = library != null ? library : os == Platform.OS.LINUX ? "kqueue" : "c";
    KernelCalls calls;
    KeventLayout layout;
    try {
      switch (os) {
        case FREEBSD:
          layout = forced;
          if (layout == null) {
            calls = JnrKernelCalls.bind(lib, KeventLayout.FREEBSD12); // same C signature as 11
            layout = probeFreeBsd(calls);
          }
          break;
        case DARWIN:
          layout = forced != null ? forced : KeventLayout.MACOS;
          break;
        case NETBSD:
          layout = forced != null ? forced : hasSymbol(lib, KeventLayout.NETBSD11)
              ? KeventLayout.NETBSD11 : KeventLayout.NETBSD10;
          break;
        case OPENBSD:
          layout = forced != null ? forced : KeventLayout.OPENBSD;
          break;
        case LINUX:
          layout = forced != null ? forced : KeventLayout.LIBKQUEUE;
          break;
        default:
          return unavailable("no native kqueue: " + os + " is not supported by this backend", null);
      }
      calls = JnrKernelCalls.bind(lib, layout);
    } catch (UnsatisfiedLinkError e) {
      String why = os == Platform.OS.LINUX
          ? "no native kqueue: lib" + lib + ".so not found (set -D" + LIBRARY_PROPERTY
              + "=/path/to/libkqueue.so.0, or install libkqueue)"
          : "no native kqueue: cannot bind kqueue/kevent in " + lib;
      String detail = String.valueOf(e.getMessage());
      int eol = detail.indexOf('\n'); // jnr-ffi appends the names and paths it searched
      return unavailable(why + ": " + (eol < 0 ? detail : detail.substring(0, eol)), e);
    } catch (IllegalStateException e) {
      return unavailable("no native kqueue: " + e.getMessage(), e);
    }
    return verify(calls, layout);
  }

  /** Opens and closes a queue through {@code calls}; the result says whether that worked. */
  static Result verify(KernelCalls calls, KeventLayout layout) {
    try {
      NativeKQueue.open(calls, layout).close();
      return new Result(calls, layout, null);
    } catch (Throwable t) {
      return unavailable("no native kqueue: " + layout.id() + " through " + calls.name()
          + " does not work: " + t.getMessage(), t);
    }
  }

  /** Whether {@code lib} has {@code layout}'s entry point: it answers {@code EBADF} on fd -1. */
  static boolean hasSymbol(String lib, KeventLayout layout) {
    try {
      JnrKernelCalls.bind(lib, layout).kevent(-1, 0, 0, 0, 0, 0);
      return true;
    } catch (LinkageError e) { // jnr-ffi leaves a missing symbol's method abstract
      return false;
    }
  }

  private static final long PROBE_A = 0x6b713401L;
  private static final long PROBE_B = 0x6b713402L;
  private static final long PROBE_C = 0x6b713403L;

  /**
   * Which {@code struct kevent} the FreeBSD entry point bound in {@code calls} takes. Two {@code
   * EVFILT_USER} changes with {@code EV_RECEIPT} are written at a 64-byte stride, with a third
   * entry at byte 32, where FreeBSD 12 has {@code ext[]} and FreeBSD 11 its second entry. FreeBSD
   * 12 answers at bytes 0 and 64, FreeBSD 11 at 0 and 32.
   *
   * @throws IllegalStateException when the answer fits neither
   */
  public static KeventLayout probeFreeBsd(KernelCalls calls) {
    int kq = calls.kqueue();
    if (kq < 0) {
      throw new IllegalStateException("kqueue() failed with errno " + calls.errno());
    }
    try {
      ByteBuffer changes = direct(128);
      ByteBuffer events = direct(128);
      ByteBuffer timeout = direct(KeventLayout.TIMESPEC_SIZE);
      long[] idents = {PROBE_A, PROBE_B, PROBE_C};
      for (int i = 0; i < 3; i++) {
        // classic prefix: uintptr_t ident @0, short filter @8, u_short flags @10
        changes.putLong(32 * i, idents[i]);
        changes.putShort(32 * i + 8, EVFILT_USER);
        changes.putShort(32 * i + 10, (short) (EV_ADD | EV_RECEIPT));
      }
      int rc = calls.kevent(kq, address(changes), 2, address(events), 2, address(timeout));
      if (rc != 2) {
        throw new IllegalStateException("struct kevent layout probe: kevent returned " + rc
            + (rc < 0 ? " (errno " + calls.errno() + ")" : ""));
      }
      if (events.getLong(64) == PROBE_C) {
        return KeventLayout.FREEBSD12;
      }
      if (events.getLong(32) == PROBE_B) {
        return KeventLayout.FREEBSD11;
      }
      throw new IllegalStateException("struct kevent layout probe: receipts fit neither layout");
    } finally {
      calls.close(kq);
    }
  }

  private static ByteBuffer direct(int bytes) {
    return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
  }

  private static long address(ByteBuffer direct) {
    return Pointer.wrap(Runtime.getSystemRuntime(), direct).address();
  }

  private static Result unavailable(String message, Throwable cause) {
    return new Result(null, null, new UnsupportedOperationException(message, cause));
  }
}
