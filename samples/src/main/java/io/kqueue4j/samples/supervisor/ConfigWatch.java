package io.kqueue4j.samples.supervisor;

import static io.kqueue4j.KEvent.*;

import io.kqueue4j.Errno;
import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Watches the config file by name with {@code EVFILT_VNODE}, although a vnode watch follows the
 * file, not its name.
 *
 * <p>Writes, appends and attribute changes ({@code NOTE_WRITE}, {@code NOTE_EXTEND}, {@code
 * NOTE_ATTRIB}) report a change. Editors often save by writing a new file and renaming it over the
 * old one, or by moving the old one away: the watched file then reports {@code NOTE_DELETE} or
 * {@code NOTE_RENAME}, and the path is opened again and the new file registered. While nothing
 * has the name, the directory is watched ({@code NOTE_WRITE}: an entry was added, removed or
 * renamed) until the file is back.
 *
 * <p>Only the supervisor's loop thread uses it.
 */
final class ConfigWatch implements AutoCloseable {
  private static final int FILE_NOTES = NOTE_WRITE | NOTE_EXTEND | NOTE_ATTRIB | NOTE_DELETE | NOTE_RENAME;
  private static final int GONE = NOTE_DELETE | NOTE_RENAME;

  private final KQueue kq;
  private final Path file;
  private int fileFd = -1;
  private int dirFd = -1;

  /** Starts watching {@code file} (or its directory, while it does not exist). */
  ConfigWatch(KQueue kq, Path file) throws KQueueException {
    this.kq = kq;
    this.file = file.toAbsolutePath().normalize();
    follow();
  }

  /**
   * Handles an {@code EVFILT_VNODE} event of this kqueue; true when the file may have changed.
   * An event for a descriptor this watch no longer uses is ignored.
   */
  boolean onEvent(KEvent ev) throws KQueueException {
    if (fileFd >= 0 && ev.ident() == fileFd) {
      if ((ev.fflags() & GONE) != 0) {
        closeFile();
        follow();
      }
      return true;
    }
    if (dirFd >= 0 && ev.ident() == dirFd && openFile()) {
      closeDir();
      return true;
    }
    return false;
  }

  /** Whether the file itself is watched, rather than its directory while the name is free. */
  boolean watchingFile() {
    return fileFd >= 0;
  }

  @Override
  public void close() throws KQueueException {
    closeFile();
    closeDir();
  }

  /** Watches the file that has the name now, or the directory until one has it. */
  private void follow() throws KQueueException {
    if (openFile()) {
      return;
    }
    if (dirFd < 0) {
      Path dir = file.getParent();
      dirFd = FileDescriptors.open(dir);
      register(dirFd, NOTE_WRITE);
    }
    if (openFile()) { // created before the directory was watched
      closeDir();
    }
  }

  /** Opens and registers the file; false when no file has the name. */
  private boolean openFile() throws KQueueException {
    int fd;
    try {
      fd = FileDescriptors.open(file);
    } catch (KQueueException e) {
      if (e.errno() == Errno.ENOENT) {
        return false;
      }
      throw e;
    }
    try {
      register(fd, FILE_NOTES);
    } catch (KQueueException e) {
      FileDescriptors.close(fd);
      throw e;
    }
    fileFd = fd;
    return true;
  }

  private void register(int fd, int notes) throws KQueueException {
    kq.kevent(new KEvent[] {KEvent.of(fd, EVFILT_VNODE, EV_ADD | EV_CLEAR, notes, 0, null)},
        null, Duration.ZERO);
  }

  /** Closing the descriptor also drops its knote, as close(2) does. */
  private void closeFile() throws KQueueException {
    if (fileFd >= 0) {
      int fd = fileFd;
      fileFd = -1;
      FileDescriptors.close(fd);
    }
  }

  private void closeDir() throws KQueueException {
    if (dirFd >= 0) {
      int fd = dirFd;
      dirFd = -1;
      FileDescriptors.close(fd);
    }
  }
}
