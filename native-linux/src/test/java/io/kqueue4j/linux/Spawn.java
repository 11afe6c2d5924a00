package io.kqueue4j.linux;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * Starts {@code /bin/sh -c script} with {@code posix_spawn}, outside the JDK's process API, so that
 * no JDK reaper thread waits for it: the test decides when it is reaped.
 */
final class Spawn {

  /** The one call a test needs to start an unreaped child. */
  public interface Functions {
    int posix_spawn(
        @Out int[] pid,
        @In byte[] path,
        Pointer fileActions,
        Pointer attr,
        @In String[] argv,
        @In String[] envp);
  }

  private static final Functions C = LibraryLoader.create(Functions.class).load("c");

  private Spawn() {}

  /** The pid of a new {@code /bin/sh -c script} child of this JVM. */
  static int shell(String script) {
    int[] pid = new int[1];
    int error =
        C.posix_spawn(
            pid,
            "/bin/sh\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            null,
            null,
            new String[] {"sh", "-c", script, null},
            new String[] {null});
    if (error != 0) {
      throw new IllegalStateException("posix_spawn failed: " + LinuxErrno.name(error));
    }
    return pid[0];
  }
}
