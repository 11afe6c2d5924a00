package io.kqueue4j.linux.vnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.Errno;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The inotify limits, reached for real in a child JVM inside a user namespace whose own limits
 * ({@code user.max_inotify_watches}, {@code user.max_inotify_instances}) are set small: they
 * surface at registration as FreeBSD errors whose messages name the limit.
 */
@EnabledOnOs(OS.LINUX)
class VnodeWatchLimitTest {

  /** The command prefix that runs a child with {@code /proc/sys/user/<limit>} at {@code value}. */
  private static List<String> withLimit(String limit, int value) throws Exception {
    Process probe;
    try {
      probe = new ProcessBuilder("unshare", "-U", "-r", "true").start();
    } catch (IOException e) {
      return abort("needs the unshare command (util-linux) to set a private inotify limit: " + e);
    }
    assumeTrue(probe.waitFor() == 0,
        "needs unprivileged user namespaces (unshare -U -r) to set a private inotify limit");
    return List.of("unshare", "-U", "-r", "sh", "-c",
        "echo " + value + " > /proc/sys/user/" + limit + " && exec \"$0\" \"$@\"");
  }

  @Test
  void enospcAtRegistrationNamesTheWatchLimit() throws Exception {
    ChildProcess run = ChildProcess.runJava(withLimit("max_inotify_watches", 3),
        VnodeWatchLimitMain.class, List.of());
    String[] lines = run.stdout().split("\n");
    assertEquals(4, lines.length, run.stdout() + "\n" + run.stderr());
    assertEquals("registered 3", lines[0], "three watches fit under the limit of 3");
    assertEquals("errno " + Errno.ENOSPC, lines[1]);
    assertTrue(lines[2].startsWith("kevent(..) failed: ENOSPC (No space left on device)"),
        lines[2]);
    assertTrue(lines[2].contains("fs.inotify.max_user_watches"), lines[2]);
    assertTrue(lines[2].contains("user.max_inotify_watches is 3"), lines[2]);
    assertEquals("earlier knote: true", lines[3]);
  }

  @Test
  void enospcOnTheParentWatchOfADirectoryFailsTheRegistrationAlone() throws Exception {
    ChildProcess run = ChildProcess.runJava(withLimit("max_inotify_watches", 3),
        VnodeParentWatchLimitMain.class, List.of());
    String[] lines = run.stdout().split("\n");
    assertEquals(6, lines.length, run.stdout() + "\n" + run.stderr());
    assertEquals("errno " + Errno.ENOSPC, lines[0]);
    assertTrue(lines[1].startsWith("kevent(..) failed: ENOSPC (No space left on device)"),
        lines[1]);
    assertTrue(lines[1].contains("the parent of"), "the parent's watch failed: " + lines[1]);
    assertTrue(lines[1].contains("fs.inotify.max_user_watches"), lines[1]);
    assertTrue(lines[1].contains("user.max_inotify_watches is 3"), lines[1]);
    assertEquals("earlier knote: true", lines[2]);
    assertEquals("a file in the directory's watch: registered", lines[3],
        "the failed registration gave its own watch back");
    assertEquals("the directory once two watches are freed: registered", lines[4]);
    assertEquals("rmdir: true", lines[5], "seen through the parent's watch");
  }

  @Test
  void emfileAtRegistrationNamesTheInstanceLimit() throws Exception {
    ChildProcess run = ChildProcess.runJava(withLimit("max_inotify_instances", 0),
        VnodeInstanceLimitMain.class, List.of());
    String[] lines = run.stdout().split("\n");
    assertEquals(2, lines.length, run.stdout() + "\n" + run.stderr());
    assertEquals("errno " + Errno.EMFILE, lines[0]);
    assertTrue(lines[1].contains("fs.inotify.max_user_instances"), lines[1]);
  }

  @Test
  void fewerInstancesThanWantedStillServe() throws Exception {
    ChildProcess run = ChildProcess.runJava(withLimit("max_inotify_instances", 1),
        VnodeInstanceLimitMain.class, List.of());
    assertEquals("source linux-inotify, instances 1\nevent: true", run.stdout(), run.stderr());
    assertTrue(run.stderr().contains("1 of 2 inotify instances"), run.stderr());
  }
}
