package io.kqueue4j.linux.fsevent;

import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.fsevent.FsWatcher;
import java.nio.file.Path;

/** Asks for the fanotify source on {@code args[0]}; prints what happened. Run without CAP_SYS_ADMIN. */
public final class FanotifyWithoutCapabilityMain {
  private FanotifyWithoutCapabilityMain() {}

  public static void main(String[] args) throws Exception {
    try (FsWatcher w = FsWatcher.builder().root(Path.of(args[0]))
        .source(FanotifyFsEventSource.NAME).build()) {
      System.out.println("built " + w.sourceName());
    } catch (KQueueException e) {
      System.out.println("errno=" + e.errno());
      System.out.println(e.getMessage());
    }
  }
}
