package io.kqueue4j.kernel;

/** Where {@link FilterOps#process} writes the event it delivers. */
@FunctionalInterface
public interface KEventSink {
  /** Stores one event. */
  void put(long ident, short filter, int flags, int fflags, long data, Object udata);
}
