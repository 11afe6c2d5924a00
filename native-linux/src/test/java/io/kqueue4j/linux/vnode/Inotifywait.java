package io.kqueue4j.linux.vnode;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.kqueue4j.linux.Inotify;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code inotifywait -m} (inotify-tools) on a few paths, as an independent observer: its lines are
 * read by a thread, and {@link #until} returns those that came before a marker operation's line.
 */
final class Inotifywait implements AutoCloseable {
  /** One output line: {@code %w|%e|%f}. */
  record Line(String watched, int mask, String name) {}

  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final Path marker;
  private int markerFlips;

  private Inotifywait(Process process, Path marker) {
    this.process = process;
    this.marker = marker;
  }

  /** Whether the {@code inotifywait} command runs here; null if so, else why not. */
  static String unavailable() {
    try {
      Process p = new ProcessBuilder("inotifywait", "--help").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor(10, TimeUnit.SECONDS);
      return null;
    } catch (IOException e) {
      return "inotifywait (package inotify-tools) is not installed: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** Starts watching {@code paths} plus a marker file in {@code markerDir}. */
  static Inotifywait start(Path markerDir, Path... paths) throws Exception {
    Path marker = Files.writeString(markerDir.resolve("marker"), "m");
    List<String> command = new ArrayList<>(List.of("inotifywait", "-m", "--format", "%w|%e|%f"));
    for (Path p : paths) {
      command.add(p.toString());
    }
    command.add(marker.toString());
    Process process = new ProcessBuilder(command).start();
    Inotifywait watcher = new Inotifywait(process, marker);
    BufferedReader err = new BufferedReader(
        new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = err.readLine()) != null && !line.contains("Watches established")) {
      // "Setting up watches."
    }
    assertNotNull(line, "inotifywait did not start");
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String l;
        while ((l = out.readLine()) != null) {
          watcher.lines.add(l);
        }
      } catch (IOException e) {
        // closed
      }
    }, "inotifywait-reader");
    reader.setDaemon(true);
    reader.start();
    return watcher;
  }

  /**
   * Makes a marker event and returns every line before it: all events of the operations done
   * before this call, since one inotify instance queues in order.
   */
  List<Line> until() throws Exception {
    Files.setPosixFilePermissions(marker,
        PosixFilePermissions.fromString(markerFlips++ % 2 == 0 ? "rw-------" : "rw-r--r--"));
    List<Line> before = new ArrayList<>();
    while (true) {
      String raw = lines.poll(10, TimeUnit.SECONDS);
      assertNotNull(raw, "inotifywait reported nothing; lines so far " + before);
      String[] parts = raw.split("\\|", -1);
      String watched = strip(parts[0]);
      if (watched.equals(marker.toString())) {
        return before;
      }
      before.add(new Line(watched, mask(parts[1]), parts[2]));
    }
  }

  private static String strip(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /** The {@code IN_*} bits of inotifywait's comma-separated event names. */
  static int mask(String events) {
    int mask = 0;
    for (String name : events.split(",")) {
      mask |= switch (name) {
        case "ACCESS" -> Inotify.IN_ACCESS;
        case "MODIFY" -> Inotify.IN_MODIFY;
        case "ATTRIB" -> Inotify.IN_ATTRIB;
        case "CLOSE_WRITE" -> Inotify.IN_CLOSE_WRITE;
        case "CLOSE_NOWRITE" -> Inotify.IN_CLOSE_NOWRITE;
        case "OPEN" -> Inotify.IN_OPEN;
        case "MOVED_FROM" -> Inotify.IN_MOVED_FROM;
        case "MOVED_TO" -> Inotify.IN_MOVED_TO;
        case "CREATE" -> Inotify.IN_CREATE;
        case "DELETE" -> Inotify.IN_DELETE;
        case "DELETE_SELF" -> Inotify.IN_DELETE_SELF;
        case "MOVE_SELF" -> Inotify.IN_MOVE_SELF;
        case "UNMOUNT" -> Inotify.IN_UNMOUNT;
        case "Q_OVERFLOW" -> Inotify.IN_Q_OVERFLOW;
        case "IGNORED" -> Inotify.IN_IGNORED;
        case "ISDIR" -> Inotify.IN_ISDIR;
        case "CLOSE", "MOVE" -> 0; // inotifywait's names for either of a pair
        default -> throw new IllegalArgumentException("unknown inotifywait event " + name);
      };
    }
    return mask;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
