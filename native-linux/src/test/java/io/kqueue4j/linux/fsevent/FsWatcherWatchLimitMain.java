package io.kqueue4j.linux.fsevent;

import static io.kqueue4j.KEvent.EVFILT_FSEVENT;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;

import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.filters.fsevent.FsEvent;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatcher;
import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.reliability.OpenDescriptors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Run by {@link FsWatcherWatchLimitTest} in a user namespace whose inotify watch limit is {@value
 * #LIMIT}, in the directory the system property {@value #DIR_PROPERTY} names: builds a watcher on a
 * tree of more directories than that and prints what the failure left, builds one that uses the
 * whole limit, and grows a watched tree past the limit. Prints one line per finding for the test
 * to check.
 */
public final class FsWatcherWatchLimitMain {
  /** The watch limit the test sets. */
  static final int LIMIT = 5;
  /** The system property naming the directory to work in. */
  static final String DIR_PROPERTY = "fswatcher.limit.dir";
  private static final Duration GUARD = Duration.ofSeconds(20);

  private FsWatcherWatchLimitMain() {}

  public static void main(String[] args) throws Exception {
    Path base = Path.of(System.getProperty(DIR_PROPERTY));
    watcher(tree(base.resolve("warm-up"), 1)).close(); // the shared loop opens its descriptors
    Map<Integer, String> before = OpenDescriptors.snapshot();
    Path tooBig = tree(base.resolve("too-big"), LIMIT + 2);
    try (FsWatcher w = watcher(tooBig)) {
      System.out.println("built: " + w.watchedDirectories());
    } catch (ErrnoException e) {
      System.out.println("build failed: " + e.errnoName() + " "
          + e.getMessage().replace(tooBig.toString(), "ROOT"));
    }
    Map<Integer, String> now = OpenDescriptors.snapshot();
    now.entrySet().removeIf(e -> e.getValue().equals(before.get(e.getKey())));
    System.out.println("left: descriptors " + now + ", inotify watches " + inotifyWatches());

    try (FsWatcher w = watcher(tree(base.resolve("fits"), LIMIT))) {
      System.out.println("whole limit: " + w.watchedDirectories() + " directories, inotify watches "
          + inotifyWatches());
    }
    grow(tree(base.resolve("grows"), LIMIT - 1));
  }

  /**
   * Watches a tree one directory short of the limit, adds one directory (the last watch) and then
   * another, and prints the records that come, the knote's and the watcher's counts.
   */
  private static void grow(Path root) throws Exception {
    try (FsWatcher w = watcher(root); KQueue kq = KQueue.emulated()) {
      kq.kevent(new KEvent[] {KEvent.of(w.id(), EVFILT_FSEVENT, EV_ADD | EV_CLEAR, 0, 0, null)},
          null, Duration.ZERO);
      Files.createDirectory(root.resolve("last"));
      print(w.read(GUARD));
      Files.createDirectory(root.resolve("over"));
      print(w.read(GUARD));
      KEvent[] out = new KEvent[1];
      int n = kq.kevent(null, out, GUARD);
      System.out.println("knote: " + (n == 1 && out[0].ident() == w.id() && out[0].data() >= 1));
      print(w.read(GUARD));
      Files.writeString(root.resolve("last/file"), "x");
      print(w.read(GUARD));
      System.out.println("watched: " + w.watchedDirectories());
    }
  }

  private static FsWatcher watcher(Path root) throws IOException {
    return FsWatcher.builder().root(root).source(InotifyFsEventSource.NAME)
        .coalescingWindow(Duration.ZERO).build();
  }

  /** A root with {@code dirs - 1} subdirectories: {@code dirs} directories in all. */
  private static Path tree(Path root, int dirs) throws IOException {
    Files.createDirectory(root);
    for (int i = 1; i < dirs; i++) {
      Files.createDirectory(root.resolve("d" + i));
    }
    return root;
  }

  private static void print(FsEvent e) {
    System.out.println(e == null ? "no record"
        : e.type() == FsEventType.EVENTS_DROPPED ? "EVENTS_DROPPED " + (e.droppedCount() >= 1)
        : e.type() + " " + e.path());
  }

  /** The watches of every inotify instance of this process, from {@code /proc/self/fdinfo}. */
  private static long inotifyWatches() throws IOException {
    long watches = 0;
    try (Stream<Path> infos = Files.list(Path.of("/proc/self/fdinfo"))) {
      for (Path info : (Iterable<Path>) infos::iterator) {
        try (Stream<String> lines = Files.lines(info)) {
          watches += lines.filter(l -> l.startsWith("inotify wd:")).count();
        } catch (IOException closed) {
          // the listing's own descriptor
        }
      }
    }
    return watches;
  }
}
