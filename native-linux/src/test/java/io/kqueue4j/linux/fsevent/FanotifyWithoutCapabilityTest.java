package io.kqueue4j.linux.fsevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.Errno;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process without {@code CAP_SYS_ADMIN} that asks for {@code "linux-fanotify"} gets a {@link
 * io.kqueue4j.KQueueException} {@code EPERM} naming the capability: a child JVM started through
 * {@code setpriv} with the capability dropped from its bounding set.
 */
@EnabledOnOs(OS.LINUX)
class FanotifyWithoutCapabilityTest {
  static final Path SETPRIV = Path.of("/usr/bin/setpriv");

  @TempDir Path root;

  @Test
  void buildFailsWithEpermNamingTheCapability() throws Exception {
    Throwable why = FanotifyGroup.unavailabilityCause();
    assumeTrue(why == null, () -> "needs fanotify here to take it away: " + why);
    assumeTrue(Files.isExecutable(SETPRIV), "needs " + SETPRIV + " to drop CAP_SYS_ADMIN");
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path out = Files.createTempFile(root, "out", ".txt");
    Process p = new ProcessBuilder(List.of(SETPRIV.toString(), "--bounding-set=-sys_admin",
        "--inh-caps=-sys_admin", Path.of(System.getProperty("java.home"), "bin", "java")
            .toString(), "-cp", classPath, FanotifyWithoutCapabilityMain.class.getName(),
        root.toString()))
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
    String text = Files.readString(out);
    assumeTrue(p.exitValue() == 0 || !text.contains("setpriv"),
        () -> "setpriv cannot drop capabilities here: " + text);
    assertEquals(0, p.exitValue(), text);
    // a line of its own: JDK 24+ prints native-access warnings on the same merged stream first
    assertTrue(text.lines().anyMatch(("errno=" + Errno.EPERM)::equals), text);
    assertTrue(text.contains("CAP_SYS_ADMIN"), text);
    assertTrue(text.contains(FanotifyFsEventSource.NAME), text);
  }
}
