package io.kqueue4j.kernel;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A test filter that is its knotes' event source: it records each knote by ident when attached,
 * and a knote's event is true once the test has {@linkplain #setPending made it pending}. The test
 * then activates the knote itself, directly or through an {@link ActivationBatch}.
 */
class PendingFilter implements FilterOps {
  final Map<Long, KNote> knotes = new ConcurrentHashMap<>();
  private final Set<Long> pending = ConcurrentHashMap.newKeySet();

  @Override
  public void attach(KNote kn) {
    knotes.put(kn.ident(), kn);
  }

  @Override
  public void detach(KNote kn) {}

  @Override
  public boolean event(KNote kn, long hint) {
    return pending.contains(kn.ident());
  }

  /** Makes the event of {@code ident}'s knote true or false, without activating it. */
  void setPending(long ident, boolean isPending) {
    if (isPending) {
      pending.add(ident);
    } else {
      pending.remove(ident);
    }
  }
}
