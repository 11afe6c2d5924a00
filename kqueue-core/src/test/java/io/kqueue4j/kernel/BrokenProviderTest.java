package io.kqueue4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A class path naming a filter provider that does not exist leaves the other filters working. */
class BrokenProviderTest {

  /** Run in a child JVM whose class path has the broken provider entry. */
  public static void main(String[] args) throws Exception {
    try (KQueue kq = KQueue.emulated()) {
      KEvent[] out = new KEvent[2];
      int n = kq.kevent(new KEvent[] {
        KEvent.of(1, KEvent.EVFILT_USER, KEvent.EV_ADD | KEvent.EV_RECEIPT, 0, 0, null),
        KEvent.of(1, KEvent.EVFILT_TIMER, KEvent.EV_ADD, 0, 10, null)}, out, Duration.ZERO);
      System.out.println(n + " " + out[0].data() + " " + out[1].data());
      System.out.println(Filters.loadFailures());
    }
  }

  @Test
  void other_filters_still_load_and_the_failure_is_reported(@TempDir Path dir) throws Exception {
    Path services = dir.resolve("META-INF/services");
    Files.createDirectories(services);
    Files.writeString(services.resolve(FilterProvider.class.getName()), "no.such.Provider\n");
    String classPath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    Process child = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", dir + File.pathSeparator + classPath, BrokenProviderTest.class.getName())
        .redirectErrorStream(true)
        .start();
    assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
    String[] lines = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
        .split("\n");
    assertEquals(0, child.exitValue(), String.join("\n", lines));
    assertEquals("2 0 6", lines[0], "EVFILT_USER works (receipt 0), EVFILT_TIMER is ENXIO (6)");
    assertTrue(lines[1].contains("no.such.Provider"), lines[1]);
  }
}
