package io.kqueue4j.linux.vnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.filters.vnode.PollingVnodeSource;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Where inotify is missing (here: {@code inotify_init1} fails with {@code ENOSYS} under a seccomp
 * filter, as on a kernel built without it), {@code EVFILT_VNODE} falls back to stat polling on its
 * own, works, and says so: a warning naming the fallback, its interval and why inotify is not used.
 */
@EnabledOnOs(OS.LINUX)
class VnodeWithoutInotifyTest {

  @Test
  void withoutInotifyTheStatPollingFallbackIsChosenAndAnnounced() throws Exception {
    ChildProcess run = ChildProcess.runJava(List.of(), VnodeWithoutInotifyMain.class, List.of());
    assumeTrue(run.exitCode() != 3, "a seccomp filter cannot be installed here: " + run.stdout());
    assertEquals(0, run.exitCode(), run.stdout() + "\n" + run.stderr());
    assertEquals(String.join("\n",
        "inotify available: false",
        "source " + PollingVnodeSource.NAME + ", fallback true",
        "append: NOTE_WRITE|NOTE_EXTEND"), run.stdout(), run.stderr());
    assertTrue(run.stderr().contains("EVFILT_VNODE uses the portable fallback "
        + PollingVnodeSource.NAME + ": files are stat-polled every "
        + PollingVnodeSource.DEFAULT_INTERVAL_MILLIS + " ms by one thread; "
        + InotifyVnodeSource.NAME + " is unavailable"), run.stderr());
    assertTrue(run.stderr().contains("ENOSYS"), run.stderr());
  }
}
