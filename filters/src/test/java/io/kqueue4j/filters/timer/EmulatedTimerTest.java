package io.kqueue4j.filters.timer;

import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;

/** {@link TimerConformanceTest} on the emulated kernel with the shared real-time service. */
class EmulatedTimerTest extends TimerConformanceTest {
  @Override
  protected KQueue newQueue() throws KQueueException {
    return KQueue.emulated();
  }
}
