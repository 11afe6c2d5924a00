package io.kqueue4j.linux.internal;

import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.LinuxErrno;

/**
 * The outcome of probing a facility by calling it once.
 *
 * <p>A probe that fails only for lack of resources ({@code EMFILE}, {@code ENFILE}, {@code ENOMEM})
 * still proves that the call exists, so the facility counts as available; every other failure
 * ({@code ENOSYS}, {@code EINVAL} for an unknown flag, {@code EPERM} from a seccomp filter, a
 * missing symbol, a library that did not load) makes it unavailable.
 */
public final class Availability {

  /** The probe itself: make the call, close what it opened, throw on failure. */
  @FunctionalInterface
  public interface Probe {
    void run() throws Throwable;
  }

  private final String facility;
  private final Throwable cause;

  private Availability(String facility, Throwable cause) {
    this.facility = facility;
    this.cause = cause;
  }

  /** Runs {@code probe} once, unless {@code library} already failed to bind. */
  public static Availability probe(String facility, NativeLibrary<?> library, Probe probe) {
    if (library.cause() != null) {
      return new Availability(facility, library.cause());
    }
    try {
      probe.run();
      return new Availability(facility, null);
    } catch (ErrnoException e) {
      return new Availability(facility, isResourceShortage(e.errno()) ? null : e);
    } catch (Throwable t) { // UnsatisfiedLinkError for a symbol libc lacks, among others
      return new Availability(facility, t);
    }
  }

  private static boolean isResourceShortage(int errno) {
    return errno == LinuxErrno.EMFILE || errno == LinuxErrno.ENFILE || errno == LinuxErrno.ENOMEM;
  }

  public boolean isAvailable() {
    return cause == null;
  }

  public Throwable cause() {
    return cause;
  }

  /** Throws {@link UnsupportedOperationException} carrying the probe's failure as its cause. */
  public void require() {
    if (cause != null) {
      throw new UnsupportedOperationException(facility + " is not available here: " + cause, cause);
    }
  }
}
