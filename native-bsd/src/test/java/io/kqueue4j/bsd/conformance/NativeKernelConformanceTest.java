package io.kqueue4j.bsd.conformance;

import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.bsd.BsdKQueueProvider;
import io.kqueue4j.conformance.KernelConformance;

/**
 * The kernel conformance suite on the real native kqueue of this machine (a BSD kernel, or
 * libkqueue on Linux). Skipped, with the provider's reason, where there is none.
 */
@RequiresNativeKQueue
class NativeKernelConformanceTest extends KernelConformance {
  @Override
  protected KQueue newQueue() throws KQueueException {
    return new BsdKQueueProvider().open();
  }
}
