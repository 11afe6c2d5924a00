package io.kqueue4j.bsd.internal;

import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Set;

/**
 * Lets {@link Thread#interrupt()} wake a thread blocked in the native {@code kevent}, through the
 * public hook the JDK offers selectors: between {@link #enter()} and {@link #exit()} an interrupt
 * of the calling thread runs {@link #wakeup()}, which triggers the kqueue's wake-up knote. It is a
 * selector in name only: it registers no channel and holds no resource.
 */
final class InterruptHook extends AbstractSelector {
  private final Runnable onInterrupt;

  InterruptHook(Runnable onInterrupt) {
    super(SelectorProvider.provider());
    this.onInterrupt = onInterrupt;
  }

  /** Before a blocking call; runs the hook at once when the thread is already interrupted. */
  void enter() {
    begin();
  }

  /** After the blocking call. */
  void exit() {
    end();
  }

  @Override
  public Selector wakeup() {
    onInterrupt.run();
    return this;
  }

  @Override
  protected void implCloseSelector() {}

  @Override
  protected SelectionKey register(AbstractSelectableChannel ch, int ops, Object att) {
    throw new UnsupportedOperationException("not a selector");
  }

  @Override
  public Set<SelectionKey> keys() {
    return Set.of();
  }

  @Override
  public Set<SelectionKey> selectedKeys() {
    return Set.of();
  }

  @Override
  public int selectNow() {
    return 0;
  }

  @Override
  public int select(long timeout) {
    return 0;
  }

  @Override
  public int select() {
    return 0;
  }
}
