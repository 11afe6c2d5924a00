package io.kqueue4j;

import io.kqueue4j.spi.NativeKQueueProvider;
import java.util.ServiceLoader;

/** Finds the native backend, once, through {@link ServiceLoader}. */
final class NativeBackend {
  private static final NativeKQueueProvider PROVIDER;
  private static final Throwable CAUSE;

  static {
    NativeKQueueProvider found = null;
    Throwable cause = null;
    for (NativeKQueueProvider candidate : ServiceLoader.load(NativeKQueueProvider.class)) {
      Throwable why = candidate.unavailabilityCause();
      if (why == null) {
        found = candidate;
        break;
      }
      cause = why;
    }
    PROVIDER = found;
    CAUSE =
        found != null
            ? null
            : cause != null
                ? cause
                : new UnsupportedOperationException(
                    "no native kqueue backend on the class path (add io.kqueue4j:native-bsd)");
  }

  private NativeBackend() {}

  static NativeKQueueProvider provider() {
    return PROVIDER;
  }

  static Throwable unavailabilityCause() {
    return CAUSE;
  }
}
