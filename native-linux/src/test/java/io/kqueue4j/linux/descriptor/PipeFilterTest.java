package io.kqueue4j.linux.descriptor;

import static io.kqueue4j.KEvent.EVFILT_READ;
import static io.kqueue4j.KEvent.EVFILT_WRITE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_EOF;
import static io.kqueue4j.KEvent.EV_ERROR;
import static io.kqueue4j.KEvent.NOTE_LOWAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** {@code filt_piperead}/{@code filt_pipewrite} on real pipes from {@link FileDescriptors#pipe()}. */
@EnabledOnOs(OS.LINUX)
class PipeFilterTest {
  private KQueue kq;
  private int[] pipe;

  @BeforeEach
  void open() throws Exception {
    kq = KQueue.emulated();
    pipe = FileDescriptors.pipe();
  }

  @AfterEach
  void close() {
    kq.close();
    Io.closeQuietly(pipe[0], pipe[1]);
  }

  @Test
  void usesTheLinuxSources() {
    assertEquals("linux", FileDescriptors.support());
    assertEquals("linux-epoll", io.kqueue4j.filters.descriptor.ReadinessSources.activeName());
  }

  @Test
  void readDataIsTheBufferedByteCount() throws Exception {
    Io.add(kq, pipe[0], EVFILT_READ, EV_ADD, 0, 0);
    assertEquals(0, Io.poll(kq).length, "an empty pipe is not readable");

    Io.write(pipe[1], 100);
    KEvent ev = Io.next(kq);
    assertEquals(pipe[0], ev.ident());
    assertEquals(EVFILT_READ, ev.filter());
    assertEquals(100, ev.data());
    assertEquals(0, ev.flags() & EV_EOF);
  }

  @Test
  void partialReadLeavesTheRestInData() throws Exception {
    Io.write(pipe[1], 100);
    Io.add(kq, pipe[0], EVFILT_READ, EV_ADD, 0, 0);
    assertEquals(100, Io.next(kq).data());

    assertEquals(30, Io.read(pipe[0], 30));
    KEvent[] events = Io.poll(kq);
    assertEquals(1, events.length, "still readable (level-triggered)");
    assertEquals(70, events[0].data());

    assertEquals(70, Io.read(pipe[0], 70));
    assertEquals(0, Io.poll(kq).length, "drained");
  }

  @Test
  void writerCloseGivesEof() throws Exception {
    Io.write(pipe[1], 5);
    Io.add(kq, pipe[0], EVFILT_READ, EV_ADD, 0, 0);
    assertEquals(5, Io.next(kq).data());

    FileDescriptors.close(pipe[1]);
    KEvent ev = Io.next(kq);
    assertEquals(EV_EOF, ev.flags() & EV_EOF);
    assertEquals(5, ev.data(), "EV_EOF with the bytes still buffered");

    Io.read(pipe[0], 5);
    ev = Io.next(kq);
    assertEquals(EV_EOF, ev.flags() & EV_EOF, "readable at end of file with nothing left");
    assertEquals(0, ev.data());
  }

  @Test
  void writeDataIsTheFreeSpace() throws Exception {
    Io.add(kq, pipe[1], EVFILT_WRITE, EV_ADD, 0, 0);
    KEvent ev = Io.next(kq);
    assertEquals(EVFILT_WRITE, ev.filter());
    assertEquals(Syscalls.pipeSize(pipe[1]), ev.data(), "an empty pipe: all of it");

    Io.write(pipe[1], 1000);
    ev = Io.next(kq);
    assertEquals(Syscalls.pipeSize(pipe[1]) - 1000, ev.data());
  }

  @Test
  void fullPipeIsNotWritableUntilRead() throws Exception {
    int size = Io.fill(pipe[1]);
    assertTrue(size >= 4096, "filled " + size);

    Io.add(kq, pipe[1], EVFILT_WRITE, EV_ADD, 0, 0);
    assertEquals(0, Io.poll(kq).length, "a full pipe is not writable");

    Io.nonBlocking(pipe[0]);
    while (Io.read(pipe[0], 8192) > 0) {
      // drain
    }
    KEvent ev = Io.next(kq);
    assertEquals(EVFILT_WRITE, ev.filter());
    assertEquals(size, ev.data(), "the whole buffer is free again");
  }

  @Test
  void readerCloseGivesWriterEof() throws Exception {
    Io.add(kq, pipe[1], EVFILT_WRITE, EV_ADD, 0, 0);
    assertEquals(0, Io.next(kq).flags() & EV_EOF);

    FileDescriptors.close(pipe[0]);
    KEvent ev = Io.next(kq, pipe[1], EVFILT_WRITE);
    while ((ev.flags() & EV_EOF) == 0) {
      ev = Io.next(kq, pipe[1], EVFILT_WRITE);
    }
    assertEquals(0, ev.data());
  }

  @Test
  void writeFilterOnPipeWithoutReaderIsEpipe() throws Exception {
    FileDescriptors.close(pipe[0]);
    KEvent receipt = Io.change(kq, pipe[1], EVFILT_WRITE, EV_ADD, 0, 0);
    assertEquals(EV_ERROR, receipt.flags() & EV_ERROR);
    assertEquals(Errno.EPIPE, receipt.data());
  }

  @Test
  void wrongEndsAreAcceptedAndNeverFire() throws Exception {
    KEvent read = Io.change(kq, pipe[1], EVFILT_READ, EV_ADD, 0, 0);
    KEvent write = Io.change(kq, pipe[0], EVFILT_WRITE, EV_ADD, 0, 0);
    assertEquals(0, read.data(), "EVFILT_READ on the write end is accepted");
    assertEquals(0, write.data(), "EVFILT_WRITE on the read end is accepted");

    Io.add(kq, pipe[0], EVFILT_READ, EV_ADD, 0, 0);
    Io.write(pipe[1], 10);
    KEvent ev = Io.next(kq);
    assertEquals(pipe[0], ev.ident(), "only the real read end fires: " + ev);
    assertEquals(EVFILT_READ, ev.filter());
    for (KEvent other : Io.poll(kq)) {
      assertEquals(pipe[0], other.ident(), "the wrong ends never fire: " + other);
    }
  }

  @Test
  void noteLowatIsIgnoredOnPipesAsFreeBsdDoes() throws Exception {
    Io.add(kq, pipe[0], EVFILT_READ, EV_ADD, NOTE_LOWAT, 50);
    Io.write(pipe[1], 10);
    KEvent ev = Io.next(kq);
    assertEquals(10, ev.data(), "filt_piperead fires with fewer bytes than the low-water mark");
  }
}
