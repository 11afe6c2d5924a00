package io.kqueue4j.reliability;

import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.KEventSink;
import io.kqueue4j.kernel.KNote;
import io.kqueue4j.kernel.KNoteList;

/**
 * Knotes on one source list; {@code data} counts posts ({@code EV_CLEAR} resets it). Uses the
 * kernel's default {@code process} (re-check with {@code event}, copy the kevent).
 */
final class ThrowingFilter implements FilterOps {
  final KNoteList source = new KNoteList();
  volatile String throwIn = "";
  /** Only knotes with this ident throw (-1: all). */
  volatile long throwFor = -1;
  volatile boolean throwError;

  private void maybeThrow(String method, KNote kn) {
    if (method.equals(throwIn) && (throwFor < 0 || throwFor == kn.ident())) {
      if (throwError) {
        throw new AssertionError("filter " + method + " failed (an Error)");
      }
      throw new IllegalStateException("filter " + method + " failed");
    }
  }

  @Override
  public void attach(KNote kn) {
    maybeThrow("attach", kn);
    source.add(kn);
  }

  @Override
  public void detach(KNote kn) {
    source.remove(kn);
    maybeThrow("detach", kn);
  }

  @Override
  public boolean event(KNote kn, long hint) {
    maybeThrow("event", kn);
    if (hint != 0) {
      kn.setData(kn.data() + 1);
    }
    return kn.data() > 0;
  }

  @Override
  public void touch(KNote kn, int flags, int fflags, long data) {
    maybeThrow("touch", kn);
    FilterOps.super.touch(kn, flags, fflags, data);
  }

  @Override
  public boolean process(KNote kn, KEventSink out) {
    maybeThrow("process", kn);
    return FilterOps.super.process(kn, out);
  }
}
