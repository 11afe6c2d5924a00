package io.kqueue4j.spi;

import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;

/**
 * Service interface of a native kqueue backend (module {@code native-bsd}), found with {@link
 * java.util.ServiceLoader}. {@link KQueue#open()} uses the first provider that is available.
 */
public interface NativeKQueueProvider {

  /**
   * Why this backend cannot run here, or {@code null} when it can. Must not throw.
   *
   * @return the reason, which {@link KQueue#nativeUnavailabilityCause()} reports, or {@code null}
   */
  Throwable unavailabilityCause();

  /**
   * {@code kqueue(2)}.
   *
   * @return a new, open native queue
   * @throws KQueueException with the errno of {@code kqueue(2)} translated to FreeBSD's, such as
   *     {@code EMFILE} or {@code ENOMEM}; an unavailable backend may fail with {@code ENOSYS}
   */
  KQueue open() throws KQueueException;
}
