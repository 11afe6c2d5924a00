package io.kqueue4j.filters.descriptor;

import io.kqueue4j.kernel.KNoteList;

/**
 * One watched descriptor: its two knote lists ({@code so_rdsel.si_note} and {@code
 * so_wrsel.si_note}, or the pipe's {@code pipe_sel.si_note}), shared by the knotes of every kqueue,
 * and the source's {@link DescriptorWatch}. Knotes hold it as their hook.
 */
final class WatchedDescriptor implements ReadinessListener {
  final int fd;
  final KNoteList readers = new KNoteList();
  final KNoteList writers = new KNoteList();
  /** Set once, right after creation, before the object is shared. */
  volatile DescriptorWatch watch;
  /** Knotes per side; guarded by {@link WatchedDescriptors}' lock. */
  int readCount;
  int writeCount;

  WatchedDescriptor(int fd) {
    this.fd = fd;
  }

  KNoteList list(boolean read) {
    return read ? readers : writers;
  }

  @Override
  public void readReady(long hint) {
    readers.post(hint);
  }

  @Override
  public void writeReady(long hint) {
    writers.post(hint);
  }

  @Override
  public String toString() {
    DescriptorWatch w = watch;
    return "WatchedDescriptor[fd=" + fd + ", kind=" + (w == null ? "?" : w.kind())
        + ", readers=" + readCount + ", writers=" + writeCount + "]";
  }
}
