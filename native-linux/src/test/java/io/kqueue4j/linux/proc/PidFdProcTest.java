package io.kqueue4j.linux.proc;

import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.conformance.ProcConformanceTest;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The {@code EVFILT_PROC} conformance suite on the emulated kernel with native-linux on the class
 * path: the pidfd source must be the one in use, and 1,000 concurrent children are watched.
 */
@EnabledOnOs(OS.LINUX)
class PidFdProcTest extends ProcConformanceTest {
  @Override
  protected KQueue newQueue() throws KQueueException {
    return KQueue.emulated();
  }

  @Override
  protected String expectedSource() {
    return PidFdProcessExitSource.NAME;
  }

  @Override
  protected int concurrentChildren() {
    return 1000;
  }
}
