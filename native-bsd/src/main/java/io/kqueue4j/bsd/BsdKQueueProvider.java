package io.kqueue4j.bsd;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.bsd.internal.NativeKQueue;
import io.kqueue4j.bsd.internal.NativeProbe;
import io.kqueue4j.spi.NativeKQueueProvider;

/**
 * The native kqueue backend: {@code kqueue(2)} and {@code kevent(2)} of FreeBSD, macOS, NetBSD and
 * OpenBSD, or of libkqueue on Linux, bound with jnr-ffi. Found by {@link java.util.ServiceLoader};
 * {@link KQueue#open()} uses it when {@link #unavailabilityCause()} is {@code null}.
 *
 * <p>System properties, read once: {@code kqueue4j.native.library} names the library to bind (a
 * name the platform's loader searches, or a path; default {@code c}, and {@code kqueue} on Linux);
 * {@code kqueue4j.native.layout} forces a {@code struct kevent} layout ({@code freebsd12}, {@code
 * freebsd11}, {@code macos}, {@code macos-kevent64}, {@code netbsd10}, {@code netbsd11}, {@code
 * openbsd}, {@code libkqueue}) instead of the probed one.
 *
 * <p>Every class of this module loads on an OS without kqueue; there this provider reports why it
 * cannot run.
 */
public final class BsdKQueueProvider implements NativeKQueueProvider {

  /** For {@link java.util.ServiceLoader}. */
  public BsdKQueueProvider() {}

  @Override
  public Throwable unavailabilityCause() {
    try {
      return NativeProbe.get().cause();
    } catch (Throwable t) {
      return t;
    }
  }

  @Override
  public KQueue open() throws KQueueException {
    NativeProbe.Result found = NativeProbe.get();
    if (found.cause() != null) {
      throw new KQueueException("kqueue", Errno.ENOSYS, found.cause().getMessage(), found.cause());
    }
    return NativeKQueue.open(found.calls(), found.layout());
  }

  /**
   * What this backend binds here, such as {@code "freebsd12 via c"}, or why it cannot run; for
   * diagnostics.
   *
   * @return the kevent layout id and call binding in use, or the message of the probe failure
   */
  public static String describe() {
    NativeProbe.Result found = NativeProbe.get();
    return found.cause() != null
        ? found.cause().getMessage()
        : found.layout().id() + " via " + found.calls().name();
  }
}
