package io.kqueue4j.bsd.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.bsd.internal.FakeAbi;
import io.kqueue4j.bsd.internal.FakeKernel;
import io.kqueue4j.bsd.internal.NativeKQueue;
import io.kqueue4j.conformance.UserFilterConformance;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;

/**
 * FreeBSD's {@code user.c} cases once per {@code struct kevent} layout, through a fake C library.
 *
 * <p>Each nested class runs the whole suite through the native binding and a {@link FakeKernel}
 * of one {@code struct kevent} ABI: the binding encodes every change in that ABI's bytes and
 * constants, the fake decodes them with offsets of its own, lets the emulated kernel answer and
 * encodes the answer back. A layout or marshalling bug makes the fake see something else.
 */
class FakeUserFilterConformanceTest {

  static void noViolations(FakeKernel kernel) {
    List<String> found = kernel.violations();
    assertEquals(List.of(), found, "the fake kernel saw malformed input");
  }

  @Nested
  class FreeBsd12 extends UserFilterConformance {
    final FakeKernel kernel = new FakeKernel(FakeAbi.FREEBSD12);

    @Override
    protected KQueue newQueue() throws KQueueException {
      return NativeKQueue.open(kernel, FakeAbi.FREEBSD12.layout());
    }

    @AfterEach
    void checkBytes() {
      noViolations(kernel);
    }
  }

  @Nested
  class FreeBsd11 extends UserFilterConformance {
    final FakeKernel kernel = new FakeKernel(FakeAbi.FREEBSD11);

    @Override
    protected KQueue newQueue() throws KQueueException {
      return NativeKQueue.open(kernel, FakeAbi.FREEBSD11.layout());
    }

    @AfterEach
    void checkBytes() {
      noViolations(kernel);
    }
  }

  @Nested
  class MacOs extends UserFilterConformance {
    final FakeKernel kernel = new FakeKernel(FakeAbi.MACOS);

    @Override
    protected KQueue newQueue() throws KQueueException {
      return NativeKQueue.open(kernel, FakeAbi.MACOS.layout());
    }

    @AfterEach
    void checkBytes() {
      noViolations(kernel);
    }
  }

  @Nested
  class MacOsKevent64 extends UserFilterConformance {
    final FakeKernel kernel = new FakeKernel(FakeAbi.MACOS_KEVENT64);

    @Override
    protected KQueue newQueue() throws KQueueException {
      return NativeKQueue.open(kernel, FakeAbi.MACOS_KEVENT64.layout());
    }

    @AfterEach
    void checkBytes() {
      noViolations(kernel);
    }
  }

  @Nested
  class NetBsd10 extends UserFilterConformance {
    final FakeKernel kernel = new FakeKernel(FakeAbi.NETBSD10);

    @Override
    protected KQueue newQueue() throws KQueueException {
      return NativeKQueue.open(kernel, FakeAbi.NETBSD10.layout());
    }

    @AfterEach
    void checkBytes() {
      noViolations(kernel);
    }
  }

  @Nested
  class NetBsd11 extends UserFilterConformance {
    final FakeKernel kernel = new FakeKernel(FakeAbi.NETBSD11);

    @Override
    protected KQueue newQueue() throws KQueueException {
      return NativeKQueue.open(kernel, FakeAbi.NETBSD11.layout());
    }

    @AfterEach
    void checkBytes() {
      noViolations(kernel);
    }
  }

  @Nested
  class OpenBsd extends UserFilterConformance {
    final FakeKernel kernel = new FakeKernel(FakeAbi.OPENBSD);

    @Override
    protected KQueue newQueue() throws KQueueException {
      return NativeKQueue.open(kernel, FakeAbi.OPENBSD.layout());
    }

    @AfterEach
    void checkBytes() {
      noViolations(kernel);
    }
  }

  @Nested
  class Libkqueue extends UserFilterConformance {
    final FakeKernel kernel = new FakeKernel(FakeAbi.LIBKQUEUE);

    @Override
    protected KQueue newQueue() throws KQueueException {
      return NativeKQueue.open(kernel, FakeAbi.LIBKQUEUE.layout());
    }

    @AfterEach
    void checkBytes() {
      noViolations(kernel);
    }
  }

}
