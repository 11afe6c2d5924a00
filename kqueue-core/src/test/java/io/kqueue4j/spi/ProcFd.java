package io.kqueue4j.spi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What Linux's {@code /proc/self/fd} says a descriptor number is, so that a descriptor read from a
 * JDK object can be checked without a native call.
 */
final class ProcFd {
  static final Path DIR = Path.of("/proc/self/fd");

  private ProcFd() {}

  /** Whether this OS has {@code /proc/self/fd} to ask. */
  static boolean available() {
    return Files.isDirectory(DIR);
  }

  /** What descriptor {@code fd} links to: a path, {@code pipe:[inode]}, {@code socket:[inode]}. */
  static String target(int fd) throws IOException {
    return Files.readSymbolicLink(DIR.resolve(Integer.toString(fd))).toString();
  }

  /** {@code "same"} when both are ends of one pipe, {@code "different"}, or {@code "no-procfs"}. */
  static String samePipe(int a, int b) throws IOException {
    if (!available()) {
      return "no-procfs";
    }
    String target = target(a);
    return a != b && target.startsWith("pipe:[") && target.equals(target(b)) ? "same" : "different";
  }
}
