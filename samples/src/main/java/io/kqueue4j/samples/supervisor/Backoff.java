package io.kqueue4j.samples.supervisor;

import java.time.Duration;

/**
 * The restart delay of one program: {@code backoff} after the first exit, doubled after each exit
 * that came sooner than {@code stable} after its start, capped at {@code max-backoff}, and back to
 * {@code backoff} after a run that lasted {@code stable} or longer.
 */
final class Backoff {
  private final ProgramSpec spec;
  private Duration last;

  Backoff(ProgramSpec spec) {
    this.spec = spec;
  }

  /** The delay before restarting a program that exited after running for {@code uptime}. */
  Duration next(Duration uptime) {
    if (last == null || uptime.compareTo(spec.stable()) >= 0) {
      last = spec.backoff();
    } else {
      Duration doubled = last.multipliedBy(2);
      last = doubled.compareTo(spec.maxBackoff()) > 0 ? spec.maxBackoff() : doubled;
    }
    return last;
  }
}
