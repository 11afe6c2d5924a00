package io.kqueue4j.linux.descriptor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.kqueue4j.filters.descriptor.SelectorDescriptors;
import io.kqueue4j.filters.descriptor.SelectorReadinessSource;
import io.kqueue4j.testing.ChildJvm;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Where epoll is denied (here: {@code epoll_create}/{@code epoll_create1} fail with {@code EPERM}
 * under a seccomp filter, as in a sandbox that forbids them) but libc, eventfd and {@code statx}
 * work, the Linux descriptor support steps aside and the portable {@code Selector} fallback serves
 * {@code EVFILT_READ}. The JDK's default {@code Selector} on Linux is itself built on epoll, so the
 * fallback works only when the program selects the JDK's poll-based provider; both cases run in a
 * child JVM ({@link DescriptorsWithoutEpollMain}).
 */
@EnabledOnOs(OS.LINUX)
class DescriptorsWithoutEpollTest {
  private static final String POLL_PROVIDER =
      "-Djava.nio.channels.spi.SelectorProvider=sun.nio.ch.PollSelectorProvider";

  private static List<String> run(String... jvmFlags) throws Exception {
    ChildJvm run = ChildJvm.run(DescriptorsWithoutEpollMain.class, jvmFlags);
    assumeFalse(run.stdout().startsWith("seccomp:"),
        "a seccomp filter cannot be installed here: " + run.stdout());
    List<String> lines = run.stdout().lines().toList();
    assertEquals(5, lines.size(), run.stdout() + "\n" + run.stderr());
    assertTrue(lines.get(0).startsWith("linux ") && lines.get(0).contains("EPERM"),
        "the support names epoll's failure: " + lines.get(0));
    assertEquals(List.of(
        "support " + SelectorDescriptors.NAME,
        "source " + SelectorReadinessSource.NAME + " fallback true",
        "vnode source none"), lines.subList(1, 4), run.stderr());
    return lines;
  }

  @Test
  void withThePollSelectorProviderTheSelectorFallbackServesSockets() throws Exception {
    List<String> lines = run(POLL_PROVIDER);
    assertEquals("socket readable, data 5", lines.get(4));
  }

  @Test
  void withTheJdksEpollSelectorTheFallbackCannotWatchAndSaysWhy() throws Exception {
    List<String> lines = run();
    assertTrue(lines.get(4).startsWith("EVFILT_READ: EIO, ")
        && lines.get(4).contains("opening the selector"), lines.get(4));
  }
}
