package io.kqueue4j.linux.vnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.Errno;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The inotify watch limit surfaces at registration as {@code ENOSPC} naming the sysctl. */
@EnabledOnOs(OS.LINUX)
class VnodeWatchLimitTest {

  @Test
  void enospcAtRegistrationNamesTheWatchLimit() throws Exception {
    assumeTrue(new ProcessBuilder("unshare", "-U", "-r", "true").start().waitFor() == 0,
        "needs unprivileged user namespaces (unshare -U -r) to set a private watch limit");
    ChildProcess run = ChildProcess.runJava(
        List.of("unshare", "-U", "-r", "sh", "-c",
            "echo 3 > /proc/sys/user/max_inotify_watches && exec \"$0\" \"$@\""),
        VnodeWatchLimitMain.class, List.of());
    String[] lines = run.stdout().split("\n");
    assertEquals(4, lines.length, run.stdout() + "\n" + run.stderr());
    assertEquals("registered 3", lines[0], "three watches fit under the limit of 3");
    assertEquals("errno " + Errno.ENOSPC, lines[1]);
    assertTrue(lines[2].startsWith("kevent(..) failed: ENOSPC (No space left on device)"), lines[2]);
    assertTrue(lines[2].contains("fs.inotify.max_user_watches"), lines[2]);
    assertTrue(lines[2].contains("user.max_inotify_watches is 3"), lines[2]);
    assertEquals("earlier knote: true", lines[3]);
  }
}
