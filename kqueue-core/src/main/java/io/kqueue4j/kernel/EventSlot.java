package io.kqueue4j.kernel;

/** One kevent being delivered by a scan; reused, one per concurrent scan (held by its marker). */
final class EventSlot implements KEventSink {
  long ident;
  short filter;
  int flags;
  int fflags;
  long data;
  Object udata;

  @Override
  public void put(long ident, short filter, int flags, int fflags, long data, Object udata) {
    this.ident = ident;
    this.filter = filter;
    this.flags = flags;
    this.fflags = fflags;
    this.data = data;
    this.udata = udata;
  }
}
