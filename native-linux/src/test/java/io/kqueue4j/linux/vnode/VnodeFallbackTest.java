package io.kqueue4j.linux.vnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.filters.vnode.PollingVnodeSource;
import io.kqueue4j.filters.vnode.VnodeSources;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The portable stat-polling fallback, chosen with system property {@value
 * VnodeSources#SOURCE_PROPERTY} in a child JVM (the source is chosen once per process): what it
 * reports for each operation, that it says it is the fallback, and what it refuses.
 */
@EnabledOnOs(OS.LINUX)
class VnodeFallbackTest {

  @Test
  void thePollingFallbackReportsWhatStatesShow() throws Exception {
    ChildProcess run = ChildProcess.runJava(List.of(), VnodeFallbackMain.class,
        List.of("-D" + VnodeSources.SOURCE_PROPERTY + "=" + PollingVnodeSource.NAME,
            "-D" + PollingVnodeSource.INTERVAL_PROPERTY + "=100"));
    assertEquals(0, run.exitCode(), run.stdout() + "\n" + run.stderr());
    String expected = String.join("\n",
        "source=portable-stat-polling fallback=true interval=100",
        "write in place=NOTE_WRITE|NOTE_ATTRIB",
        "append=NOTE_WRITE|NOTE_EXTEND",
        "truncate down=NOTE_WRITE|NOTE_ATTRIB",
        "chmod=NOTE_ATTRIB",
        "link=NOTE_LINK",
        "unlink of another name=NOTE_DELETE",
        "rename in the directory=NOTE_RENAME",
        "rename to another directory=NOTE_RENAME",
        "create a file in the directory=NOTE_WRITE",
        "mkdir=NOTE_WRITE|NOTE_LINK",
        "rmdir=NOTE_WRITE|NOTE_LINK",
        "unlink of the last name=NOTE_DELETE",
        "by the polling thread=NOTE_ATTRIB",
        "NOTE_OPEN=EOPNOTSUPP",
        "after close of the descriptor=0");
    assertEquals(expected, run.stdout(), run.stderr());
    assertTrue(run.stderr().contains("EVFILT_VNODE uses the portable fallback portable-stat-polling"),
        "the fallback announces itself: " + run.stderr());
  }
}
