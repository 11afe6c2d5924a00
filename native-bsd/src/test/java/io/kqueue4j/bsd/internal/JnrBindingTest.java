package io.kqueue4j.bsd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The jnr-ffi binding against this machine's real C library, where there is no kqueue: the calls
 * it does have work and save errno, and a missing symbol fails as the NetBSD probe expects.
 */
@EnabledOnOs(OS.LINUX)
class JnrBindingTest {

  @Test
  void close_through_the_binding_reports_ebadf_in_errno() {
    for (KeventLayout layout : new KeventLayout[] {KeventLayout.LIBKQUEUE, KeventLayout.NETBSD10,
        KeventLayout.MACOS_KEVENT64}) {
      JnrKernelCalls calls = JnrKernelCalls.bind("c", layout);
      assertEquals(-1, calls.close(-1), layout.id());
      assertEquals(9, calls.errno(), layout.id() + ": Linux EBADF");
      assertEquals("c", calls.name());
    }
  }

  @Test
  void a_symbol_the_library_lacks_fails_on_the_first_call() {
    JnrKernelCalls calls = JnrKernelCalls.bind("c", KeventLayout.NETBSD11); // __kevent100
    assertThrows(LinkageError.class, () -> calls.kevent(-1, 0, 0, 0, 0, 0));
    assertFalse(NativeProbe.hasSymbol("c", KeventLayout.NETBSD11), "the NetBSD probe says no");
  }

  @Test
  void every_class_of_the_module_loads_without_a_kqueue() throws Exception {
    String[] names = {
      "io.kqueue4j.bsd.BsdKQueueProvider",
      "io.kqueue4j.bsd.internal.Dialect",
      "io.kqueue4j.spi.InterruptHook",
      "io.kqueue4j.bsd.internal.JnrKernelCalls",
      "io.kqueue4j.bsd.internal.KernelCalls",
      "io.kqueue4j.bsd.internal.KeventLayout",
      "io.kqueue4j.bsd.internal.NativeKQueue",
      "io.kqueue4j.bsd.internal.NativeProbe",
      "io.kqueue4j.bsd.internal.Scratch",
      "io.kqueue4j.bsd.internal.UdataTokens",
    };
    for (String name : names) {
      Class.forName(name, true, getClass().getClassLoader());
    }
  }
}
