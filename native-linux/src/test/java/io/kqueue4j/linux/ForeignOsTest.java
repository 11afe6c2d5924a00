package io.kqueue4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kqueue4j.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Every class loads, and every facility reports itself unavailable, where jnr-ffi sees another OS;
 * here simulated by a child JVM told {@code -Dos.name=Windows}, which is what jnr-ffi reads.
 */
@EnabledOnOs(OS.LINUX)
class ForeignOsTest {

  @Test
  void everyFacilityIsUnavailableAndSaysWhy() throws Exception {
    ChildJvm run = ChildJvm.run(AvailabilityReportMain.class, "-Dos.name=Windows");
    String cause = " java.lang.UnsupportedOperationException: not Linux: windows";
    assertEquals(
        String.join(
            "\n",
            "LibC false" + cause,
            "Epoll false" + cause,
            "EventFd false" + cause,
            "Inotify false" + cause,
            "PidFd false" + cause,
            "waitid false" + cause,
            "Stat false" + cause,
            "refused: epoll is not available here:" + cause),
        run.stdout(),
        run.stderr());
  }

  @Test
  void everyFacilityIsAvailableOnThisLinux() throws Exception {
    ChildJvm run = ChildJvm.run(AvailabilityReportMain.class);
    assertEquals(
        String.join(
            "\n",
            "LibC true null",
            "Epoll true null",
            "EventFd true null",
            "Inotify true null",
            "PidFd true null",
            "waitid true null",
            "Stat true null",
            "opened"),
        run.stdout(),
        run.stderr());
  }
}
