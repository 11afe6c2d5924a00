package io.kqueue4j.filters.proc;

import io.kqueue4j.filters.conformance.ProcConformanceTest;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;

/**
 * {@link ProcConformanceTest} on the emulated kernel with nothing but this module on the class
 * path: the portable source ({@link ProcessHandle#onExit()}) must be in use, and say so.
 */
class EmulatedPortableProcTest extends ProcConformanceTest {
  @Override
  protected KQueue newQueue() throws KQueueException {
    return KQueue.emulated();
  }

  @Override
  protected String expectedSource() {
    return PortableProcessExitSource.NAME;
  }
}
