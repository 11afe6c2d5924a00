package io.kqueue4j.linux.vnode;

import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.NOTE_EXTEND;
import static io.kqueue4j.KEvent.NOTE_RENAME;
import static io.kqueue4j.KEvent.NOTE_WRITE;
import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * An object whose knotes ask for no bit derived from its state is not {@code fstat}ed after its
 * events, so its recorded state falls behind. A knote that then asks for such a bit must see
 * changes against the state at its registration, and a stale state must never make up a bit.
 */
@EnabledOnOs(OS.LINUX)
class VnodeStaleStateTest extends VnodeTestSupport {
  Path file;

  @BeforeEach
  void createFile() throws Exception {
    file = Files.writeString(dir.resolve("f"), "hello");
  }

  /** Appends through a {@code NOTE_WRITE} knote, after which the object's state is stale. */
  private int appendWhileOnlyWriteIsWatched() throws Exception {
    int writeOnly = watch(file, EV_CLEAR, NOTE_WRITE);
    for (int i = 0; i < 3; i++) {
      Files.writeString(file, "more", APPEND);
      expect(writeOnly, NOTE_WRITE, "append " + i + " seen by a NOTE_WRITE knote");
    }
    assertTrue(InotifyVnodeLoop.peek().vnodeOf(file).stale,
        "the appends were reported without taking the state");
    return writeOnly;
  }

  private void overwriteInPlace() throws Exception {
    try (FileChannel ch = FileChannel.open(file, WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {'J'}), 0);
    }
  }

  @Test
  void aKnoteAddedForExtendSeesGrowthAfterItsRegistrationOnly() throws Exception {
    int writeOnly = appendWhileOnlyWriteIsWatched();
    int extend = watch(file, EV_CLEAR, NOTE_WRITE | NOTE_EXTEND);
    overwriteInPlace();
    expect("a write that does not grow the file",
        writeOnly, NOTE_WRITE, extend, NOTE_WRITE);
    Files.writeString(file, "!", APPEND);
    expect("an append after the registration",
        writeOnly, NOTE_WRITE, extend, NOTE_WRITE | NOTE_EXTEND);
  }

  @Test
  void aKnoteWideningToExtendSeesGrowthAfterTheChangeOnly() throws Exception {
    int fd = appendWhileOnlyWriteIsWatched();
    add(fd, EV_CLEAR, NOTE_WRITE | NOTE_EXTEND);
    overwriteInPlace();
    expect(fd, NOTE_WRITE, "a write that does not grow the file");
    Files.writeString(file, "!", APPEND);
    expect(fd, NOTE_WRITE | NOTE_EXTEND, "an append after the change");
  }

  @Test
  void aRenameAfterUnrecordedAppendsIsOnlyARename() throws Exception {
    int writeOnly = appendWhileOnlyWriteIsWatched();
    int rename = watch(file, EV_CLEAR, NOTE_WRITE | NOTE_RENAME);
    Files.move(file, dir.resolve("g"), ATOMIC_MOVE);
    expect("rename", writeOnly, 0, rename, NOTE_RENAME);
  }
}
