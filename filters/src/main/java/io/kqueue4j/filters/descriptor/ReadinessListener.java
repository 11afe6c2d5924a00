package io.kqueue4j.filters.descriptor;

/**
 * Where a {@link ReadinessSource} reports that a watched descriptor's state may have changed: the
 * {@code KNOTE} calls of {@code sorwakeup}/{@code sowwakeup}/{@code pipeselwakeup}. Each call
 * re-evaluates that side's knotes under their list's lock, so spurious calls cost a probe and nothing
 * else; a missed call loses an edge, so sources call at least once for every change that can make a
 * side ready.
 *
 * <p>Called from the source's own thread(s); never while holding a lock that a filter could take.
 */
public interface ReadinessListener {

  /**
   * The read side may have changed (data, a connection, end of file, an error).
   *
   * @param hint what the source saw, passed to {@link DescriptorWatch#probe}; never 0, which is
   *     reserved for the kernel's own re-checks
   */
  void readReady(long hint);

  /**
   * The write side may have changed (space, end of file, an error).
   *
   * @param hint as for {@link #readReady}
   */
  void writeReady(long hint);
}
