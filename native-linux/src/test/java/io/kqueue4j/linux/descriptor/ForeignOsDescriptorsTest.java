package io.kqueue4j.linux.descriptor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.testing.ChildJvm;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * With {@code native-linux} on the class path of an OS without epoll: every class of this package
 * loads, the Linux support and source say why they are unavailable (found by probing, the way
 * jnr-ffi sees the OS), so does {@code unix_diag}, and the portable fallback takes over and says
 * so. Another OS is simulated in a child JVM whose {@code os.name}, which jnr-ffi reads, says
 * {@code Windows} (see {@link ForeignOsDescriptorsMain}).
 */
@EnabledOnOs(OS.LINUX)
class ForeignOsDescriptorsTest {

  @Test
  void theSelectorFallbackServesDescriptorsWhereLinuxIsUnavailable() throws Exception {
    ChildJvm run = ChildJvm.run(ForeignOsDescriptorsMain.class);
    List<String> lines = run.stdout().lines().toList();
    assertEquals(7, lines.size(), run.stdout() + "\n" + run.stderr());
    assertTrue(lines.get(0).startsWith("initialized [") && lines.get(0).contains(
        LinuxWatch.class.getName()), lines.get(0));
    String cause = " java.lang.UnsupportedOperationException: not Linux: windows";
    assertEquals(
        List.of(
            "linux" + cause,
            "linux-epoll" + cause,
            "sock_diag false" + cause,
            "support portable-selector",
            "source portable-selector fallback true",
            "pipe readable"),
        lines.subList(1, 7),
        run.stderr());
  }
}
