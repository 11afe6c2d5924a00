package io.kqueue4j.bsd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.KQueue;
import io.kqueue4j.bsd.BsdKQueueProvider;
import io.kqueue4j.spi.NativeKQueueProvider;
import java.util.ServiceLoader;
import jnr.ffi.Platform;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class NativeProbeTest {

  @Test
  void freebsd_layout_probe_tells_12_from_11_by_what_the_entry_point_does() {
    FakeKernel twelve = new FakeKernel(FakeAbi.FREEBSD12);
    FakeKernel eleven = new FakeKernel(FakeAbi.FREEBSD11);
    assertSame(KeventLayout.FREEBSD12, NativeProbe.probeFreeBsd(twelve));
    assertSame(KeventLayout.FREEBSD11, NativeProbe.probeFreeBsd(eleven));
    assertEquals(0, twelve.openQueues(), "the probe closes its queue");
    assertEquals(0, eleven.openQueues());
    twelve.shutdown();
    eleven.shutdown();
  }

  @Test
  void verify_accepts_a_working_kernel_and_explains_a_broken_one() {
    FakeKernel good = new FakeKernel(FakeAbi.OPENBSD);
    NativeProbe.Result ok = NativeProbe.verify(good, KeventLayout.OPENBSD);
    assertNull(ok.cause());
    assertSame(KeventLayout.OPENBSD, ok.layout());
    FakeKernel old = new FakeKernel(FakeAbi.OPENBSD).withoutUserFilter();
    NativeProbe.Result refused = NativeProbe.verify(old, KeventLayout.OPENBSD);
    assertNotNull(refused.cause());
    assertTrue(refused.cause().getMessage().contains("EVFILT_USER"), refused.cause().getMessage());
    good.shutdown();
    old.shutdown();
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void on_linux_without_libkqueue_the_reason_names_the_library_and_the_property() {
    NativeProbe.Result r = NativeProbe.probe(Platform.OS.LINUX, Runtime.getSystemRuntime(), null,
        null);
    if (r.cause() == null) {
      return; // libkqueue is installed here: nothing to explain
    }
    String why = r.cause().getMessage();
    assertTrue(why.contains("libkqueue.so not found"), why);
    assertTrue(why.contains("-Dkqueue4j.native.library"), why);
    assertFalse(why.contains("\n"), "one line: " + why);
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void a_library_path_that_does_not_exist_is_reported() {
    NativeProbe.Result r = NativeProbe.probe(Platform.OS.LINUX, Runtime.getSystemRuntime(),
        "/nonexistent/libkqueue.so.0", null);
    assertNotNull(r.cause());
    assertTrue(r.cause().getMessage().contains("/nonexistent/libkqueue.so.0"),
        r.cause().getMessage());
  }

  @Test
  void an_unknown_forced_layout_is_reported() {
    NativeProbe.Result r = NativeProbe.probe(Platform.getNativePlatform().getOS(),
        Runtime.getSystemRuntime(), null, "vms");
    assertTrue(r.cause().getMessage().contains("kqueue4j.native.layout=vms"),
        r.cause().getMessage());
  }

  @Test
  void the_provider_is_found_and_the_core_reports_its_reason() {
    boolean found = false;
    for (NativeKQueueProvider p : ServiceLoader.load(NativeKQueueProvider.class)) {
      found |= p instanceof BsdKQueueProvider;
    }
    assertTrue(found, "META-INF/services registers BsdKQueueProvider");
    Throwable cause = new BsdKQueueProvider().unavailabilityCause();
    assertEquals(cause == null, KQueue.isNativeAvailable());
    if (cause != null) {
      assertEquals(cause.getMessage(), KQueue.nativeUnavailabilityCause().getMessage());
      assertEquals(cause.getMessage(), BsdKQueueProvider.describe());
    }
  }
}
