package io.kqueue4j.bsd.conformance;

import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.bsd.BsdKQueueProvider;
import io.kqueue4j.conformance.UserFilterConformance;

/**
 * FreeBSD's {@code user.c} cases on the real native kqueue of this machine. Skipped, with the
 * provider's reason, where there is none.
 */
@RequiresNativeKQueue
class NativeUserFilterConformanceTest extends UserFilterConformance {
  @Override
  protected KQueue newQueue() throws KQueueException {
    return new BsdKQueueProvider().open();
  }
}
