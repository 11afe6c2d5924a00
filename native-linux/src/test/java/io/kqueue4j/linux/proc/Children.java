package io.kqueue4j.linux.proc;

import io.kqueue4j.linux.ChildStatus;
import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.PidFd;
import java.nio.charset.StandardCharsets;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * Children started with {@code posix_spawn}, outside the JDK's process API, so that no JDK reaper
 * thread waits for them: they stay zombies until the test reaps them, as a C program's children do.
 */
final class Children {

  /** The one call needed. */
  public interface Functions {
    int posix_spawn(@Out int[] pid, @In byte[] path, Pointer fileActions, Pointer attr,
        @In String[] argv, @In String[] envp);
  }

  private static final Functions C = LibraryLoader.create(Functions.class).load("c");

  private Children() {}

  /** The pid of a new {@code /bin/sh -c script} child of this JVM that nobody reaps. */
  static int shell(String script) {
    int[] pid = new int[1];
    int error = C.posix_spawn(pid, "/bin/sh\0".getBytes(StandardCharsets.US_ASCII), null, null,
        new String[] {"sh", "-c", script, null}, new String[] {"PATH=/usr/bin:/bin", null});
    if (error != 0) {
      throw new IllegalStateException("posix_spawn failed: errno " + error);
    }
    return pid[0];
  }

  /** Waits for and reaps {@code pid}; its status. */
  static ChildStatus reap(int pid) throws ErrnoException {
    try (PidFd fd = PidFd.open(pid)) {
      return fd.waitid(PidFd.WEXITED);
    }
  }

  /** Whether {@code pid} is a zombie now. */
  static boolean isZombie(long pid) {
    ProcStat stat = ProcStat.read(pid);
    return stat != null && stat.state() == 'Z';
  }
}
