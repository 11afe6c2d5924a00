package io.kqueue4j.spi;

import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Set;

/**
 * Makes {@link Thread#interrupt()} end a native wait ({@code epoll_wait}, {@code kevent}) as it
 * ends {@link Selector#select()}: the JDK lets a selector register an action for the interrupt of
 * the thread between {@link #begin()} and {@link #end()}, and this one runs the action given at
 * creation, which should make the wait return (write an eventfd, trigger a wake-up knote). It is a
 * selector in name only: it is never handed out, registers no channel, holds no resource, and its
 * selection methods are not supported.
 *
 * <p>One thread at a time uses a hook.
 */
public final class InterruptHook extends AbstractSelector {
  private final Runnable onInterrupt;

  /**
   * A hook that runs {@code onInterrupt} when a thread between {@link #enter()} and {@link #exit()}
   * is interrupted.
   *
   * @param onInterrupt what ends the wait; called on the interrupting thread, or at once by {@link
   *     #enter()} when the thread is interrupted already
   */
  public InterruptHook(Runnable onInterrupt) {
    super(SelectorProvider.provider());
    this.onInterrupt = onInterrupt;
  }

  /** Before the wait: from here until {@link #exit()} an interrupt of this thread ends it. */
  public void enter() {
    begin();
  }

  /** After the wait. */
  public void exit() {
    end();
  }

  /**
   * Runs the action given at creation; called by the JDK when the thread is interrupted.
   *
   * @return this hook
   */
  @Override
  public Selector wakeup() {
    onInterrupt.run();
    return this;
  }

  @Override
  protected void implCloseSelector() {}

  @Override
  protected SelectionKey register(AbstractSelectableChannel ch, int ops, Object att) {
    throw new UnsupportedOperationException("an interrupt hook, not a selector");
  }

  /**
   * Not supported.
   *
   * @return never
   */
  @Override
  public Set<SelectionKey> keys() {
    throw new UnsupportedOperationException("an interrupt hook, not a selector");
  }

  /**
   * Not supported.
   *
   * @return never
   */
  @Override
  public Set<SelectionKey> selectedKeys() {
    throw new UnsupportedOperationException("an interrupt hook, not a selector");
  }

  /**
   * Not supported.
   *
   * @return never
   */
  @Override
  public int selectNow() {
    throw new UnsupportedOperationException("an interrupt hook, not a selector");
  }

  /**
   * Not supported.
   *
   * @param timeout ignored
   * @return never
   */
  @Override
  public int select(long timeout) {
    throw new UnsupportedOperationException("an interrupt hook, not a selector");
  }

  /**
   * Not supported.
   *
   * @return never
   */
  @Override
  public int select() {
    throw new UnsupportedOperationException("an interrupt hook, not a selector");
  }
}
