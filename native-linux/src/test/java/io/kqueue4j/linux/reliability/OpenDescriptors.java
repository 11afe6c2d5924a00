package io.kqueue4j.linux.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The process's open descriptors, as listed in {@code /proc/self/fd}. */
final class OpenDescriptors {
  private static final Path FDS = Path.of("/proc/self/fd");
  private static final String OWN_LISTING = "/proc/" + ProcessHandle.current().pid() + "/fd";

  private OpenDescriptors() {}

  /** {@return the number of entries in {@code /proc/self/fd}} */
  static int count() {
    try (Stream<Path> fds = Files.list(FDS)) {
      return (int) fds.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@return each open descriptor with what it refers to, such as {@code anon_inode:inotify}} */
  static Map<Integer, String> snapshot() {
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
}
