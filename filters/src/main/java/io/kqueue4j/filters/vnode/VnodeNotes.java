package io.kqueue4j.filters.vnode;

import static io.kqueue4j.KEvent.NOTE_ATTRIB;
import static io.kqueue4j.KEvent.NOTE_CLOSE;
import static io.kqueue4j.KEvent.NOTE_CLOSE_WRITE;
import static io.kqueue4j.KEvent.NOTE_DELETE;
import static io.kqueue4j.KEvent.NOTE_EXTEND;
import static io.kqueue4j.KEvent.NOTE_LINK;
import static io.kqueue4j.KEvent.NOTE_OPEN;
import static io.kqueue4j.KEvent.NOTE_READ;
import static io.kqueue4j.KEvent.NOTE_RENAME;
import static io.kqueue4j.KEvent.NOTE_REVOKE;
import static io.kqueue4j.KEvent.NOTE_WRITE;

/** The {@code NOTE_*} bits of {@code EVFILT_VNODE} (FreeBSD {@code sys/event.h}) and their names. */
public final class VnodeNotes {

  /** Every {@code EVFILT_VNODE} bit FreeBSD defines. */
  public static final int ALL =
      NOTE_DELETE | NOTE_WRITE | NOTE_EXTEND | NOTE_ATTRIB | NOTE_LINK | NOTE_RENAME | NOTE_REVOKE
          | NOTE_OPEN | NOTE_CLOSE | NOTE_CLOSE_WRITE | NOTE_READ;

  /** The bits that report accesses rather than changes: no state records them. */
  public static final int ACCESS = NOTE_OPEN | NOTE_CLOSE | NOTE_CLOSE_WRITE | NOTE_READ;

  private static final String[] NAMES = {
    "NOTE_DELETE", "NOTE_WRITE", "NOTE_EXTEND", "NOTE_ATTRIB", "NOTE_LINK", "NOTE_RENAME",
    "NOTE_REVOKE", "NOTE_OPEN", "NOTE_CLOSE", "NOTE_CLOSE_WRITE", "NOTE_READ"
  };

  private VnodeNotes() {}

  /**
   * The names of the bits in {@code notes} joined with {@code |}, such as {@code
   * NOTE_WRITE|NOTE_EXTEND}.
   *
   * @param notes {@code EVFILT_VNODE} {@code fflags}
   * @return the names, {@code "0"} for no bit
   */
  public static String toString(int notes) {
    if (notes == 0) {
      return "0";
    }
    StringBuilder b = new StringBuilder();
    for (int bits = notes; bits != 0; bits &= bits - 1) {
      int bit = Integer.numberOfTrailingZeros(bits);
      b.append(b.length() == 0 ? "" : "|")
          .append(bit < NAMES.length ? NAMES[bit] : "0x" + Integer.toHexString(1 << bit));
    }
    return b.toString();
  }
}
