package io.kqueue4j.linux.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** The process's open descriptors, as listed in {@code /proc/self/fd}. */
public final class OpenDescriptors {
  private static final Path FDS = Path.of("/proc/self/fd");
  private static final String OWN_LISTING = "/proc/" + ProcessHandle.current().pid() + "/fd";

  private OpenDescriptors() {}

  /** {@return each open descriptor with what it refers to, such as {@code anon_inode:inotify}} */
  public static Map<Integer, String> snapshot() {
    Map<Integer, String> out = new TreeMap<>();
    try (Stream<Path> fds = Files.list(FDS)) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (!target.equals(OWN_LISTING)) { // the listing's own directory descriptor
            out.put(Integer.parseInt(fd.getFileName().toString()), target);
          }
        } catch (IOException gone) {
          // closed while listed (the directory stream's own descriptor, for one)
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** {@return the descriptors open now that were not open, or referred elsewhere, in {@code before}} */
  static Map<Integer, String> newSince(Map<Integer, String> before) {
    Map<Integer, String> now = snapshot();
    now.entrySet().removeIf(e -> e.getValue().equals(before.get(e.getKey())));
    return now;
  }

  /**
   * Waits up to 10 s until no descriptor is open that was not open in {@code before}, so that a
   * descriptor another thread of the JVM holds for a moment (HotSpot reads its cgroup files) does
   * not count as a leak, and a leaked one fails naming what it refers to.
   *
   * @param before a {@link #snapshot} taken before the test opened anything
   */
  public static void awaitNoneNewSince(Map<Integer, String> before) {
    try {
      Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
          .until(() -> newSince(before).isEmpty());
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("descriptors left open: " + newSince(before), e);
    }
  }
}
