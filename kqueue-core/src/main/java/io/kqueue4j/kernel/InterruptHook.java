package io.kqueue4j.kernel;

import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Set;

/**
 * Makes {@link Thread#interrupt()} end a native wait, as it ends {@link Selector#select()}: the JDK
 * lets a selector implementation register an action for the interrupt of the thread between {@link
 * #begin()} and {@link #end()}, and this one wakes the {@link EventPump.Source}. It is a selector
 * only for that; it is never handed out, and its selection methods are not supported.
 *
 * <p>One thread at a time uses a hook: the pump's leader.
 */
final class InterruptHook extends AbstractSelector {
  private final EventPump.Source source;

  InterruptHook(EventPump.Source source) {
    super(SelectorProvider.provider());
    this.source = source;
  }

  /** From here until {@link #exit()} an interrupt of the calling thread wakes the source. */
  void enter() {
    begin();
  }

  void exit() {
    end();
  }

  @Override
  public Selector wakeup() {
    source.wakeup();
    return this;
  }

  @Override
  protected void implCloseSelector() {}

  @Override
  protected SelectionKey register(AbstractSelectableChannel ch, int ops, Object att) {
    throw new UnsupportedOperationException("an interrupt hook, not a selector");
  }

  @Override
  public Set<SelectionKey> keys() {
    throw new UnsupportedOperationException("an interrupt hook, not a selector");
  }

  @Override
  public Set<SelectionKey> selectedKeys() {
    throw new UnsupportedOperationException("an interrupt hook, not a selector");
  }

  @Override
  public int selectNow() {
    throw new UnsupportedOperationException("an interrupt hook, not a selector");
  }

  @Override
  public int select(long timeout) {
    throw new UnsupportedOperationException("an interrupt hook, not a selector");
  }

  @Override
  public int select() {
    throw new UnsupportedOperationException("an interrupt hook, not a selector");
  }
}
