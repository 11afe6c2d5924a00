package io.kqueue4j.linux.proc;

import io.kqueue4j.Errno;
import io.kqueue4j.linux.ErrnoException;

/** FreeBSD's errno for a failed Linux call of the process sources, by symbolic name. */
final class ProcErrno {
  private ProcErrno() {}

  /**
   * The {@link Errno} constant named like {@code e}'s errno.
   *
   * @param e the failed call
   * @return FreeBSD's value, or {@link Errno#EIO} for a name FreeBSD's {@link Errno} lacks
   */
  static int of(ErrnoException e) {
    try {
      return Errno.class.getField(e.errnoName()).getInt(null);
    } catch (ReflectiveOperationException | RuntimeException unknown) {
      return Errno.EIO;
    }
  }
}
