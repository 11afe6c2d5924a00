package io.kqueue4j.bsd.fsevent;

import static io.kqueue4j.KEvent.EVFILT_VNODE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.NOTE_WRITE;

import io.kqueue4j.Errno;
import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.bsd.internal.Dialect;
import io.kqueue4j.bsd.internal.LibcFiles;
import io.kqueue4j.bsd.internal.NativeKQueue;
import io.kqueue4j.filters.fsevent.FsEventSink;
import io.kqueue4j.filters.fsevent.FsEventSource;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatch;
import io.kqueue4j.filters.fsevent.FsWatchSpec;
import io.kqueue4j.filters.vnode.VnodeSources;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code "kqueue-vnode"}: the recursive watcher of the BSDs, built on {@code EVFILT_VNODE} as
 * fswatch's kqueue monitor is: one knote per directory (and per regular file when content or
 * attribute events are wanted) in a private {@link KQueue}, and a re-read of a directory, compared
 * with its last listing, whenever the kernel says it changed. See {@link VnodeTree} for how changes
 * become events, and {@code docs/native-bsd.md} for the cost (one descriptor per watched object)
 * and the limits.
 *
 * <p>It is written against the {@link KQueue} API and runs on any kqueue: over the native one
 * ({@link KQueue#open()} on FreeBSD, macOS, NetBSD, OpenBSD), with descriptors from {@code open(2)}
 * ({@link LibcFiles}); over the emulated one with the descriptors of {@link FileDescriptors}, whose
 * {@code EVFILT_VNODE} is inotify on Linux. Its priority makes it the default only where the native
 * kqueue is a BSD kernel's; elsewhere (Linux, also with libkqueue) it is chosen by name only, such as
 * {@code FsWatcher.builder().source("kqueue-vnode")}.
 *
 * <p>One kqueue and one thread ({@code kqueue4j-fsevent-kqueue-vnode}) serve every watcher of the
 * source while any is open. Thread-safe.
 */
public final class VnodeFsEventSource implements FsEventSource {
  /** The value of {@link #name()}. */
  public static final String NAME = "kqueue-vnode";
  /** The priority where the native kqueue is a BSD kernel's: above every other source. */
  public static final int NATIVE_PRIORITY = 150;
  /** The priority elsewhere: below the portable source, so never chosen unless named. */
  public static final int FALLBACK_PRIORITY = -10;

  private static final Set<FsEventType> SUPPORTED = Set.copyOf(EnumSet.of(
      FsEventType.CREATE_FILE,
      FsEventType.CREATE_DIR,
      FsEventType.DELETE,
      FsEventType.RENAME,
      FsEventType.CONTENT_MODIFIED,
      FsEventType.STAT_CHANGED,
      FsEventType.CHOWN));

  private final Callable<KQueue> kqueues;
  private final Function<KQueue, ObjectOpener> openers;
  private final Object lock = new Object();
  /** Guarded by {@link #lock}. */
  private KQueueLoop loop;
  private volatile Availability availability;

  /** The source over {@link KQueue#open()}; for {@link java.util.ServiceLoader}. */
  public VnodeFsEventSource() {
    this(KQueue::open);
  }

  /**
   * A source whose private kqueue comes from {@code kqueues}, such as {@code KQueue::emulated}.
   *
   * @param kqueues opens a kqueue; called by the availability probe (which closes it again) and
   *     whenever a watch starts while none is running (that kqueue serves every watch until the
   *     last one closes)
   */
  public VnodeFsEventSource(Callable<KQueue> kqueues) {
    this(kqueues, VnodeFsEventSource::openerFor);
  }

  VnodeFsEventSource(Callable<KQueue> kqueues, Function<KQueue, ObjectOpener> openers) {
    this.kqueues = kqueues;
    this.openers = openers;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return availability().nativeBsd ? NATIVE_PRIORITY : FALLBACK_PRIORITY;
  }

  @Override
  public Throwable unavailabilityCause() {
    return availability().cause;
  }

  @Override
  public Set<FsEventType> supportedTypes() {
    return SUPPORTED;
  }

  @Override
  public FsWatch start(FsWatchSpec spec, FsEventSink sink) throws IOException {
    VnodeTree tree;
    synchronized (lock) {
      if (loop == null) {
        KQueue kq = newKQueue();
        loop = new KQueueLoop(kq, openers.apply(kq), "kqueue4j-fsevent-" + NAME);
        loop.start();
      }
      KQueueLoop l = loop;
      tree = new VnodeTree(spec, sink, l, () -> release(l));
      l.trees.add(tree);
    }
    try {
      tree.start();
    } catch (IOException | RuntimeException e) {
      tree.close();
      throw e;
    }
    return tree;
  }

  private KQueue newKQueue() throws IOException {
    try {
      return kqueues.call();
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("kqueue-vnode: no kqueue: " + e, e);
    }
  }

  private void release(KQueueLoop l) {
    synchronized (lock) {
      l.trees.removeIf(VnodeTree::isClosed);
      if (l.trees.isEmpty() && loop == l) {
        loop = null;
        l.close();
      }
    }
  }

  /** {@code open(2)} for a native kqueue's knotes; {@link FileDescriptors} for the emulated one. */
  static ObjectOpener openerFor(KQueue kq) {
    if (kq instanceof NativeKQueue nk) {
      LibcFiles libc = LibcFiles.bind(nk.layout().dialect());
      return new ObjectOpener() {
        @Override
        public int open(Path path, boolean follow) throws KQueueException {
          return libc.open(path.toString(), follow);
        }

        @Override
        public void close(int fd) {
          libc.close(fd);
        }
      };
    }
    return ObjectOpener.FILE_DESCRIPTORS;
  }

  private Availability availability() {
    Availability a = availability;
    if (a == null) {
      a = probe();
      availability = a;
    }
    return a;
  }

  /**
   * Whether this source can run. Over a native kqueue: a knote on the temporary directory is tried
   * (a native kqueue, one descriptor, no thread). Over the emulated one the check starts nothing:
   * {@link FileDescriptors} must hand out real descriptors (not a portable stand-in) and {@link
   * VnodeSources} must have an {@code EVFILT_VNODE} source for them.
   */
  private Availability probe() {
    try (KQueue kq = kqueues.call()) {
      if (!(kq instanceof NativeKQueue nk)) {
        String support = FileDescriptors.support();
        if (support.startsWith("portable")) {
          return new Availability(false, new KQueueException("open", Errno.EOPNOTSUPP,
              "the emulated kqueue's EVFILT_VNODE needs real descriptors, and FileDescriptors has"
                  + " only \"" + support + "\" here (add module native-linux on Linux)"));
        }
        VnodeSources.active();
        return new Availability(false, null);
      }
      ObjectOpener opener = openers.apply(kq);
      int fd = opener.open(Path.of(System.getProperty("java.io.tmpdir")), true);
      try {
        kq.kevent(new KEvent[] {KEvent.of(fd, EVFILT_VNODE, EV_ADD | EV_CLEAR, NOTE_WRITE, 0, null)},
            null, Duration.ZERO);
      } finally {
        opener.close(fd);
      }
      return new Availability(nk.layout().dialect() != Dialect.LIBKQUEUE, null);
    } catch (Exception | LinkageError e) {
      return new Availability(false, e);
    }
  }

  /** What the probe found. */
  private record Availability(boolean nativeBsd, Throwable cause) {}

  @Override
  public String toString() {
    return "VnodeFsEventSource[" + NAME + "]";
  }
}
