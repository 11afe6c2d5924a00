package io.kqueue4j.linux.fsevent;

import io.kqueue4j.filters.fsevent.FsEventSink;
import io.kqueue4j.filters.fsevent.FsWatch;
import io.kqueue4j.filters.fsevent.FsWatchSpec;
import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.FileStat;
import io.kqueue4j.linux.Stat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What {@link InotifyTree} and {@link FanotifyTree} share as watchers served by an {@link
 * FsEventLoop}: the id the loop knows them by, the lock everything runs under, the move halves
 * waiting for their pair and their deadline, and closing once. How events are read, how halves are
 * paired and how they become paths is each subclass's own.
 *
 * <p>Threads: everything runs under {@link #lock}, taken by the starting thread during start-up and
 * by the loop's thread afterwards; {@link #moveDeadline} and {@link #watched} are also read without
 * it.
 *
 * @param <M> a move half waiting for its pair
 */
abstract class FsEventTree<M> implements FsWatch {
  private static final AtomicLong IDS = new AtomicLong();

  /** The tree's key in its loop's epoll set. */
  final long id = IDS.incrementAndGet();

  /** Guards all of the tree's state. */
  final ReentrantLock lock = new ReentrantLock();

  /** What to watch. */
  final FsWatchSpec spec;

  /** Where the records go. */
  final FsEventSink sink;

  /** The thread serving the tree once started. */
  final FsEventLoop loop;

  /** Move halves waiting for their pair, oldest first. */
  final List<M> moves = new ArrayList<>(2);

  /** When the oldest move half stops waiting for its pair; {@link Long#MAX_VALUE} when none. */
  volatile long moveDeadline = Long.MAX_VALUE;

  /** Whether {@link #start} is finding the directories; a resync waits until it is done. */
  boolean starting;

  /** Whether the tree is closed: nothing more is read or reported. */
  boolean closed;

  /** Directories known below the roots; written under the lock, read by any thread. */
  volatile long watched;

  /**
   * @param spec what to watch
   * @param sink where the records go
   * @param loop the thread that serves the tree once started
   */
  FsEventTree(FsWatchSpec spec, FsEventSink sink, FsEventLoop loop) {
    this.spec = spec;
    this.sink = sink;
    this.loop = loop;
  }

  /**
   * Finds every directory below the roots, reading the events queued meanwhile now and then and
   * reporting progress; called once by {@link #start} with {@link #starting} set and the lock held.
   *
   * @param startNanos {@link System#nanoTime()} when start-up began, for progress reports
   * @throws IOException when a root cannot be watched or an OS limit is reached
   */
  abstract void discover(long startNanos) throws IOException;

  /**
   * For progress reports.
   *
   * @return directory entries listed so far
   */
  abstract long entries();

  /**
   * For the loop's epoll set.
   *
   * @return the notification descriptor the loop polls
   */
  abstract int fd();

  /**
   * Reads and handles what is queued.
   *
   * @param fromLoop whether the loop's thread calls (else start-up does)
   */
  abstract void drain(boolean fromLoop);

  /**
   * Reports the entry of a move half whose pair never came as moved out of the tree.
   *
   * @param m the move half
   */
  abstract void movedOut(M m);

  /** Closes the descriptor and forgets the directories; the loop no longer serves the tree. */
  abstract void release();

  /**
   * Finds the directories below the roots, reads what they queued meanwhile, reports the end of
   * start-up, then hands the tree to the loop; closes the tree when any of it fails.
   *
   * @throws IOException when a root cannot be watched or an OS limit is reached
   */
  final void start() throws IOException {
    lock.lock();
    try {
      starting = true;
      long t0 = System.nanoTime();
      discover(t0);
      starting = false;
      drain(false);
      spec.progress().progress(watchedDirectories(), entries(), System.nanoTime() - t0, true);
      loop.register(this);
      if (!moves.isEmpty()) {
        loop.schedule(this);
      }
    } catch (IOException | RuntimeException e) {
      closeLocked();
      throw e;
    } finally {
      starting = false;
      lock.unlock();
    }
  }

  /** The loop saw the descriptor readable: reads and handles what is queued. */
  final void onReadable() {
    lock.lock();
    try {
      if (!closed) {
        drain(true);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Ends the wait for move halves whose deadline passed.
   *
   * @param now {@link System#nanoTime()}
   * @return whether no half waits any more (or the tree is closed)
   */
  final boolean expireMoves(long now) {
    lock.lock();
    try {
      if (closed) {
        return true;
      }
      if (!moves.isEmpty() && now - moveDeadline >= 0) {
        flushMoves();
        sink.flush();
      }
      return moves.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  /** Ends the wait of every move half: each moved out of the tree. */
  final void flushMoves() {
    for (M m : moves) {
      movedOut(m);
    }
    moves.clear();
    moveDeadline = Long.MAX_VALUE;
  }

  @Override
  public final void close() {
    lock.lock();
    try {
      closeLocked();
    } finally {
      lock.unlock();
    }
  }

  /** Closes the tree once; the caller holds {@link #lock}. */
  final void closeLocked() {
    if (closed) {
      return;
    }
    closed = true;
    loop.unregister(this);
    release();
    moves.clear();
    watched = 0;
  }

  @Override
  public final long watchedDirectories() {
    return watched;
  }

  /**
   * The attributes of a file itself: a symbolic link is not followed.
   *
   * @param p the file
   * @return its attributes, or null when it is gone
   */
  static FileStat lstat(Path p) {
    try {
      return Stat.lstat(p);
    } catch (ErrnoException e) {
      return null;
    }
  }
}
