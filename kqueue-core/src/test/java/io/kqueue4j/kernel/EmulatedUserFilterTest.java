package io.kqueue4j.kernel;

import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.conformance.UserFilterConformance;

class EmulatedUserFilterTest extends UserFilterConformance {
  @Override
  protected KQueue newQueue() throws KQueueException {
    return KQueue.emulated();
  }
}
