package io.kqueue4j.reliability;

import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.EmulatedKQueue;
import io.kqueue4j.testing.FilterSlot;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A {@link ThrowingFilter} installed in a free filter slot and a fresh emulated kqueue for each
 * test. After the test the faults are switched off, the queue must close within 10 s, and the
 * filter must come out of its slot: {@code EBUSY} there means a knote leaked its filter reference.
 */
abstract class ThrowingFilterFixture {
  ThrowingFilter filter;
  FilterSlot slot;
  /** The filter's id. */
  short f;
  EmulatedKQueue kq;

  @BeforeEach
  void install() throws KQueueException {
    filter = new ThrowingFilter();
    slot = FilterSlot.install(filter);
    f = slot.filter;
    kq = EmulatedKQueue.open();
  }

  @AfterEach
  void closeAndRemove() throws Exception {
    filter.throwIn = "";
    // close() must complete even after the faults; then no knote may hold the filter.
    CompletableFuture.runAsync(kq::close).get(10, TimeUnit.SECONDS);
    slot.close();
  }
}
