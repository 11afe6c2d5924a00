package io.kqueue4j.kernel;

/** Where {@link FilterOps#process} writes the event it delivers. */
@FunctionalInterface
public interface KEventSink {
  /**
   * Stores one event.
   *
   * @param ident the knote's ident ({@code kn_id}), as registered
   * @param filter the knote's filter, an {@code EVFILT_*} id
   * @param flags {@code EV_*} flags; with {@code EV_ERROR}, {@code data} is an errno
   * @param fflags filter-specific {@code NOTE_*} flags
   * @param data filter-specific data, such as a byte count or an exit status
   * @param udata the user's opaque value, returned unchanged
   */
  void put(long ident, short filter, int flags, int fflags, long data, Object udata);
}
