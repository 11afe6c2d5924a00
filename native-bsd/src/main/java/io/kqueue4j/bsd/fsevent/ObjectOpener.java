package io.kqueue4j.bsd.fsevent;

import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KQueueException;
import java.nio.file.Path;

/**
 * Opens and closes the descriptors that {@code EVFILT_VNODE} knotes are registered on: one per
 * watched object. Over a native kqueue these are the OS's own ({@code open(2)} through JNR, see
 * {@link io.kqueue4j.bsd.internal.LibcFiles}); over the emulated kqueue they are those of {@link
 * FileDescriptors}, which its {@code EVFILT_VNODE} understands. Thread-safe.
 */
interface ObjectOpener {

  /**
   * Opens {@code path} read-only, close-on-exec, for event notification only where the OS can say
   * so ({@code O_EVTONLY}); a symbolic link is not followed unless {@code follow}.
   *
   * @throws KQueueException with FreeBSD's errno: {@code ENOENT} when it is gone, {@code EMFILE} or
   *     {@code ENFILE} when out of descriptors, {@code EACCES}, ...
   */
  int open(Path path, boolean follow) throws KQueueException;

  /** {@code close(2)}; errors are ignored (the descriptor is gone either way). */
  void close(int fd);

  /** The opener whose descriptors the emulated kqueue's {@code EVFILT_VNODE} understands. */
  ObjectOpener FILE_DESCRIPTORS = new ObjectOpener() {
    @Override
    public int open(Path path, boolean follow) throws KQueueException {
      return FileDescriptors.open(path);
    }

    @Override
    public void close(int fd) {
      try {
        FileDescriptors.close(fd);
      } catch (KQueueException e) {
        // already closed: nothing to give back
      }
    }
  };
}
