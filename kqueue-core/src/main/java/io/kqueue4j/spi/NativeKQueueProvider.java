package io.kqueue4j.spi;

import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;

/**
 * Service interface of a native kqueue backend (module {@code native-bsd}), found with {@link
 * java.util.ServiceLoader}. {@link KQueue#open()} uses the first provider that is available.
 */
public interface NativeKQueueProvider {

  /** Why this backend cannot run here, or {@code null} when it can. Must not throw. */
  Throwable unavailabilityCause();

  /** {@code kqueue(2)}. */
  KQueue open() throws KQueueException;
}
