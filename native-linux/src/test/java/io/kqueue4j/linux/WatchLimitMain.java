package io.kqueue4j.linux;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run by {@link InotifyTest} in a user namespace whose watch limit is tiny: adds watches on new
 * directories until the kernel refuses, and prints the count and the exception.
 */
public final class WatchLimitMain {

  private WatchLimitMain() {}

  public static void main(String[] args) throws Exception {
    Path root = Files.createTempDirectory("watch-limit");
    try (Inotify inotify = Inotify.open()) {
      for (int i = 0; i < 100; i++) {
        Path dir = Files.createDirectory(root.resolve("d" + i));
        try {
          inotify.addWatch(dir, Inotify.IN_CREATE);
        } catch (ErrnoException e) {
          System.out.println(
              i + " " + e.errnoName() + " " + e.getMessage().replace(dir.toString(), "DIR"));
          return;
        }
      }
      System.out.println("no limit reached");
    }
  }
}
