package io.kqueue4j.linux.descriptor;

import static io.kqueue4j.KEvent.EVFILT_READ;
import static io.kqueue4j.KEvent.EVFILT_WRITE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_EOF;
import static io.kqueue4j.KEvent.NOTE_FILE_POLL;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.linux.LibC;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Named pipes ({@code mkfifo}) and regular files ({@code filt_vfsread}/{@code filt_vfswrite}). */
@EnabledOnOs(OS.LINUX)
class FifoAndFileFilterTest {
  @TempDir Path dir;
  private KQueue kq;

  @BeforeEach
  void open() throws Exception {
    kq = KQueue.emulated();
  }

  @AfterEach
  void close() {
    kq.close();
  }

  private Path fifo() throws Exception {
    Path path = dir.resolve("fifo");
    TestSyscalls.mkfifo(path, 0600);
    return path;
  }

  /** Opens the FIFO's read end with {@link FileDescriptors#open} and a writer: both block until the other opens. */
  private static int[] openBothEnds(Path fifo) throws Exception {
    CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
      try {
        return FileDescriptors.open(fifo);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    int writer = LibC.open(fifo, LibC.O_WRONLY | LibC.O_CLOEXEC);
    return new int[] {reader.get(10, TimeUnit.SECONDS), writer};
  }

  @Test
  void fifoReadGivesDataThenEofThatClearsWhenAWriterReturns() throws Exception {
    Path fifo = fifo();
    int[] ends = openBothEnds(fifo);
    int second = -1;
    try {
      Io.add(kq, ends[0], EVFILT_READ, EV_ADD, 0, 0);
      Io.write(ends[1], 10);
      KEvent ev = Io.next(kq);
      assertEquals(10, ev.data());
      Io.read(ends[0], 10);

      FileDescriptors.close(ends[1]);
      ev = Io.next(kq);
      assertEquals(EV_EOF, ev.flags() & EV_EOF, "no writer left");
      assertEquals(0, ev.data());

      second = LibC.open(fifo, LibC.O_WRONLY | LibC.O_CLOEXEC);
      Io.write(second, 3);
      ev = Io.next(kq);
      while (ev.data() != 3) {
        ev = Io.next(kq);
      }
      assertEquals(0, ev.flags() & EV_EOF, "a named pipe's EV_EOF clears when a writer comes back");
    } finally {
      Io.closeQuietly(ends[0], ends[1], second);
    }
  }

  @Test
  void fifoThatNeverHadAWriterIsNotAtEof() throws Exception {
    Path fifo = fifo();
    int reader = LibC.open(fifo, LibC.O_RDONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
    try {
      Io.add(kq, reader, EVFILT_READ, EV_ADD, 0, 0);
      assertEquals(0, Io.poll(kq).length, "waiting for a first writer is not end of file");
    } finally {
      FileDescriptors.close(reader);
    }
  }

  @Test
  void fifoWriterGetsSpaceThenEofWhenTheReaderGoes() throws Exception {
    int[] ends = openBothEnds(fifo());
    try {
      Io.add(kq, ends[1], EVFILT_WRITE, EV_ADD, 0, 0);
      KEvent ev = Io.next(kq);
      assertEquals(Syscalls.pipeSize(ends[1]), ev.data());
      FileDescriptors.close(ends[0]);
      ev = Io.next(kq);
      while ((ev.flags() & EV_EOF) == 0) {
        ev = Io.next(kq);
      }
      assertEquals(0, ev.data());
    } finally {
      Io.closeQuietly(ends[0], ends[1]);
    }
  }

  @Test
  void fileReadDataIsTheBytesFromTheOffsetToTheEnd() throws Exception {
    Path file = dir.resolve("file");
    Files.write(file, new byte[100]);
    int fd = FileDescriptors.open(file);
    try {
      Io.add(kq, fd, EVFILT_READ, EV_ADD, 0, 0);
      assertEquals(100, Io.next(kq).data());

      assertEquals(40, Io.read(fd, 40));
      assertEquals(60, Io.next(kq).data(), "a partial read leaves the rest");
      assertEquals(60, Io.read(fd, 100));
      assertEquals(0, Io.poll(kq).length, "at the end of the file: not readable");

      Files.write(file, new byte[25], StandardOpenOption.APPEND);
      assertEquals(25, Io.next(kq).data(), "appended data is noticed (inotify)");
    } finally {
      FileDescriptors.close(fd);
    }
  }

  @Test
  void fileTruncatedBelowTheOffsetReportsNegativeData() throws Exception {
    Path file = dir.resolve("file");
    Files.write(file, new byte[100]);
    int fd = FileDescriptors.open(file);
    try {
      Io.read(fd, 100);
      Io.add(kq, fd, EVFILT_READ, EV_ADD, 0, 0);
      assertEquals(0, Io.poll(kq).length);
      try (FileChannel writer = FileChannel.open(file, StandardOpenOption.WRITE)) {
        writer.truncate(50);
      }
      assertEquals(-50, Io.next(kq).data(), "filt_vfsread: size - offset, ready while non-zero");
    } finally {
      FileDescriptors.close(fd);
    }
  }

  @Test
  void noteFilePollIsReadyAtTheEnd() throws Exception {
    Path file = dir.resolve("empty");
    Files.createFile(file);
    int fd = FileDescriptors.open(file);
    try {
      Io.add(kq, fd, EVFILT_READ, EV_ADD, 0, 0);
      assertEquals(0, Io.poll(kq).length);
      Io.add(kq, fd, EVFILT_READ, EV_ADD, NOTE_FILE_POLL, 0);
      KEvent[] events = Io.poll(kq);
      assertEquals(1, events.length, "NOTE_FILE_POLL: always readable");
      assertEquals(0, events[0].data());
    } finally {
      FileDescriptors.close(fd);
    }
  }

  @Test
  void fileIsAlwaysWritableWithDataZero() throws Exception {
    Path file = dir.resolve("w");
    Files.write(file, new byte[10]);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      int fd = FileDescriptors.of(channel);
      Io.add(kq, fd, EVFILT_WRITE, EV_ADD, 0, 0);
      KEvent ev = Io.next(kq);
      assertEquals(EVFILT_WRITE, ev.filter());
      assertEquals(0, ev.data());
      channel.write(ByteBuffer.allocate(5));
      assertEquals(1, Io.poll(kq).length);
    }
  }

  @Test
  void directoryReadDataIsItsSize() throws Exception {
    Files.createFile(dir.resolve("entry"));
    int fd = FileDescriptors.open(dir);
    try {
      Io.add(kq, fd, EVFILT_READ, EV_ADD, 0, 0);
      KEvent ev = Io.next(kq);
      assertEquals(Files.size(dir), ev.data());
    } finally {
      FileDescriptors.close(fd);
    }
  }
}
