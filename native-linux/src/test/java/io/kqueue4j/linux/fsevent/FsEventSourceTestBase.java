package io.kqueue4j.linux.fsevent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kqueue4j.filters.fsevent.FsWatcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixture of the tests of one Linux source on real trees: a watched directory {@link #root}
 * and a sibling {@link #outside} it in a fresh temporary directory, and at most one {@link
 * #watcher}, which must be served by the source under test and is closed after each test.
 */
abstract class FsEventSourceTestBase {

  @TempDir Path base;
  Path root;
  Path outside;
  FsWatcher watcher;
  FsEventRecorder rec;

  private final String source;

  /** @param source the name of the source every watcher must be served by */
  FsEventSourceTestBase(String source) {
    this.source = source;
  }

  @BeforeEach
  final void makeTrees() throws IOException {
    root = Files.createDirectory(base.resolve("root"));
    outside = Files.createDirectory(base.resolve("outside"));
  }

  @AfterEach
  final void closeWatcher() {
    if (watcher != null) {
      watcher.close();
    }
  }

  /** Builds the test's watcher and a recorder of what it reports. */
  final FsEventRecorder watch(FsWatcher.Builder b) throws IOException {
    watcher = b.build();
    assertEquals(source, watcher.sourceName());
    rec = new FsEventRecorder(watcher);
    return rec;
  }
}
