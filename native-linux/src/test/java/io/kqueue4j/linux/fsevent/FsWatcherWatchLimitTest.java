package io.kqueue4j.linux.fsevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kqueue4j.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inotify watch limit against the recursive watcher, reached for real in a child JVM inside a
 * user namespace whose own limit ({@code user.max_inotify_watches}) is {@value
 * FsWatcherWatchLimitMain#LIMIT}: {@code build()} on a larger tree fails naming the limit and
 * leaves no descriptor and no watch behind; a watched tree that grows past the limit later gets a
 * drop marker after the create of the directory that could not be watched, and goes on reporting
 * what it still watches (docs/fsevent.md, "Queue and drop marker").
 */
@EnabledOnOs(OS.LINUX)
class FsWatcherWatchLimitTest {

  private static boolean succeeds(String... command) throws InterruptedException {
    try {
      return new ProcessBuilder(command).start().waitFor() == 0;
    } catch (IOException missing) {
      return false;
    }
  }

  @Test
  void buildFailsNamingTheLimitAndLeavesNothingAndGrowthPastItIsADropMarker(@TempDir Path dir)
      throws Exception {
    String setLimit =
        "echo " + FsWatcherWatchLimitMain.LIMIT + " > /proc/sys/user/max_inotify_watches";
    assumeTrue(succeeds("unshare", "-U", "-r", "sh", "-c", setLimit),
        "needs unshare(1) and user namespaces (unshare -U -r) in which the inotify watch limit"
            + " /proc/sys/user/max_inotify_watches can be set");
    List<String> prefix =
        List.of("unshare", "-U", "-r", "sh", "-c", setLimit + " && exec \"$0\" \"$@\"");
    ChildJvm run = ChildJvm.run(prefix, FsWatcherWatchLimitMain.class,
        "-D" + FsWatcherWatchLimitMain.DIR_PROPERTY + "=" + dir);
    String[] lines = run.stdout().split("\n");
    String all = run.stdout() + "\n" + run.stderr();
    assertEquals(9, lines.length, all);

    assertTrue(lines[0].startsWith("build failed: ENOSPC "), all);
    assertTrue(lines[0].contains("fs.inotify.max_user_watches"), lines[0]);
    assertTrue(lines[0].contains("user.max_inotify_watches is 5"), lines[0]);
    assertEquals("left: descriptors {}, inotify watches 0", lines[1]);
    assertEquals("whole limit: 5 directories, inotify watches 5", lines[2],
        "the failed build gave back every watch, and the count above sees watches");

    assertEquals("CREATE_DIR last", lines[3]);
    assertEquals("CREATE_DIR over", lines[4], "the directory is reported though not watched");
    assertEquals("knote: true", lines[5]);
    assertEquals("EVENTS_DROPPED true", lines[6], "its changes are lost: rescan");
    assertEquals("CREATE_FILE last/file", lines[7], "what is watched is still reported");
    assertEquals("watched: 5", lines[8]);
    assertTrue(run.stderr().contains("cannot watch") && run.stderr().contains("max_user_watches"),
        "the loss is logged naming the limit: " + run.stderr());
  }
}
