package io.kqueue4j.filters.fsevent;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The portable source, {@code "portable-watchservice"}: one JDK {@link WatchService} and one
 * dispatcher thread for every watcher, a registration per directory.
 *
 * <p>What it cannot do, and the Linux source can: pair renames (a rename is a {@link
 * FsEventType#DELETE} and a create), tell attribute changes from writes (both are {@link
 * FsEventType#CONTENT_MODIFIED}, as {@code ENTRY_MODIFY} merges them), report ownership or xattr
 * changes, or keep up with bursts: the JDK discards events past 512 unread per directory, which
 * comes out as a drop marker. Attributes come from the {@code "unix"} attribute view where there is
 * one.
 *
 * <p>An exception or error thrown while one directory's events are handled (by a sink, say) is
 * logged at {@code ERROR} with its stack trace, and the thread goes on serving every watcher.
 */
public final class WatchServiceFsEventSource implements FsEventSource {
  /** This source's {@link #name()}, by which a watcher can ask for it. */
  public static final String NAME = "portable-watchservice";

  private static final System.Logger LOG =
      System.getLogger(WatchServiceFsEventSource.class.getName());
  private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
  private static final Set<FsEventType> SUPPORTED =
      Set.copyOf(
          EnumSet.of(
              FsEventType.CREATE_FILE,
              FsEventType.CREATE_DIR,
              FsEventType.DELETE,
              FsEventType.CONTENT_MODIFIED));

  private final Object lock = new Object();
  private WatchService service;
  /** Each key's directory in each tree that registered it (one key per directory per service). */
  private final Map<WatchKey, List<Dir>> dirs = new ConcurrentHashMap<>();

  /** Creates the source; {@link java.util.ServiceLoader} calls this. */
  public WatchServiceFsEventSource() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return 0;
  }

  @Override
  public Throwable unavailabilityCause() {
    return null;
  }

  @Override
  public Set<FsEventType> supportedTypes() {
    return SUPPORTED;
  }

  @Override
  public FsWatch start(FsWatchSpec spec, FsEventSink sink) throws IOException {
    WatchService ws = service();
    Tree tree = new Tree(spec, sink, ws);
    tree.lock.lock();
    try {
      long t0 = System.nanoTime();
      for (int i = 0; i < spec.roots().size(); i++) {
        Dir root = new Dir(null, spec.roots().get(i).toString(), i);
        tree.roots.add(root);
        tree.scan(root, false, t0);
      }
      spec.progress().progress(tree.watched, tree.entries, System.nanoTime() - t0, true);
      sink.flush();
    } catch (IOException | RuntimeException e) {
      tree.closeLocked();
      throw e;
    } finally {
      tree.lock.unlock();
    }
    return tree;
  }

  private WatchService service() throws IOException {
    synchronized (lock) {
      if (service == null) {
        service = FileSystems.getDefault().newWatchService();
        Thread t = new Thread(this::dispatch, "kqueue4j-fsevent-watchservice");
        t.setDaemon(true);
        t.start();
      }
      return service;
    }
  }

  private void dispatch() {
    while (true) {
      WatchKey key;
      try {
        key = service.take();
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      }
      List<WatchEvent<?>> events = key.pollEvents();
      boolean valid = key.reset();
      List<Dir> targets = dirs.get(key);
      if (targets == null) {
        continue;
      }
      for (Dir d : List.copyOf(targets)) {
        try {
          d.tree.handle(d, events, valid);
        } catch (RuntimeException | Error e) { // keep serving the other directories and watchers
          LOG.log(Level.ERROR, NAME + " event dispatch failed", e);
        }
      }
    }
  }

  /** A watched directory of one tree. */
  private static final class Dir {
    Dir parent;
    String name;
    final int root;
    WatchKey key;
    /** Known entries: name to whether it is a directory. */
    final Map<String, Dir> subdirs = new HashMap<>();
    final Map<String, Boolean> entries = new HashMap<>();
    Tree tree;

    Dir(Dir parent, String name, int root) {
      this.parent = parent;
      this.name = name;
      this.root = root;
    }

    Path path() {
      return parent == null ? Path.of(name) : parent.path().resolve(name);
    }

    String relative() {
      if (parent == null) {
        return "";
      }
      String p = parent.relative();
      return p.isEmpty() ? name : p + "/" + name;
    }
  }

  private final class Tree implements FsWatch {
    final FsWatchSpec spec;
    final FsEventSink sink;
    final WatchService ws;
    final ReentrantLock lock = new ReentrantLock();
    final List<Dir> roots = new ArrayList<>();
    final Map<WatchKey, Dir> mine = new HashMap<>();
    long watched;
    long entries;
    boolean closed;

    Tree(FsWatchSpec spec, FsEventSink sink, WatchService ws) {
      this.spec = spec;
      this.sink = sink;
      this.ws = ws;
    }

    @Override
    public long watchedDirectories() {
      lock.lock();
      try {
        return mine.size();
      } finally {
        lock.unlock();
      }
    }

    /** Registers {@code top} and every directory below it; creates are reported if {@code announce}. */
    void scan(Dir top, boolean announce, long t0) throws IOException {
      ArrayDeque<Dir> todo = new ArrayDeque<>();
      todo.push(top);
      while (!todo.isEmpty()) {
        Dir d = todo.pop();
        Path p = d.path();
        WatchKey key;
        try {
          key = p.register(ws, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
        } catch (NoSuchFileException | NotDirectoryException e) {
          if (d.parent == null) {
            throw e;
          }
          continue; // gone already: its delete event follows
        }
        if (mine.containsKey(key) && mine.get(key) != d) {
          continue; // the same directory reached twice (a bind mount loop)
        }
        d.key = key;
        d.tree = this;
        mine.put(key, d);
        dirs.computeIfAbsent(key, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(d);
        watched++;
        if (watched % StartupProgress.INTERVAL_DIRECTORIES == 0 && !announce) {
          spec.progress().progress(watched, entries, System.nanoTime() - t0, false);
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(p)) {
          for (Path child : stream) {
            entries++;
            String name = child.getFileName().toString();
            BasicFileAttributes a;
            try {
              a = Files.readAttributes(child, BasicFileAttributes.class, NOFOLLOW);
            } catch (IOException e) {
              continue;
            }
            boolean isDir = a.isDirectory();
            if (d.entries.put(name, isDir) != null) {
              continue;
            }
            if (announce) {
              report(isDir ? FsEventType.CREATE_DIR : FsEventType.CREATE_FILE, d, name, isDir);
            }
            if (isDir) {
              Dir sub = new Dir(d, name, d.root);
              d.subdirs.put(name, sub);
              todo.push(sub);
            }
          }
        } catch (NoSuchFileException | NotDirectoryException e) {
          // removed while we looked; the parent's delete event follows
        }
      }
    }

    void report(FsEventType type, Dir d, String name, boolean isDir) {
      String rel = d.relative();
      String path = rel.isEmpty() ? name : rel + "/" + name;
      long dev = 0;
      long ino = 0;
      int mode = 0;
      int uid = 0;
      int gid = 0;
      if (type != FsEventType.DELETE) {
        try {
          Map<String, Object> a =
              Files.readAttributes(d.path().resolve(name), "unix:dev,ino,mode,uid,gid", NOFOLLOW);
          dev = ((Number) a.get("dev")).longValue();
          ino = ((Number) a.get("ino")).longValue();
          mode = ((Number) a.get("mode")).intValue();
          uid = ((Number) a.get("uid")).intValue();
          gid = ((Number) a.get("gid")).intValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
          // no unix view, or gone already
        }
      }
      sink.event(type, d.root, path, null, dev, ino, mode, uid, gid, isDir ? FsEvent.IS_DIR : 0);
    }

    void handle(Dir d, List<WatchEvent<?>> events, boolean valid) {
      lock.lock();
      try {
        if (closed || mine.get(d.key) != d) {
          return;
        }
        for (WatchEvent<?> e : events) {
          if (e.kind() == OVERFLOW) {
            sink.dropped();
            continue;
          }
          String name = ((Path) e.context()).toString();
          if (e.kind() == ENTRY_CREATE) {
            created(d, name);
          } else if (e.kind() == ENTRY_DELETE) {
            Boolean wasDir = d.entries.remove(name);
            Dir sub = d.subdirs.remove(name);
            if (sub != null) {
              forget(sub);
            }
            report(FsEventType.DELETE, d, name, wasDir != null && wasDir);
          } else if (e.kind() == ENTRY_MODIFY) {
            Boolean isDir = d.entries.get(name);
            if (isDir == null || !isDir) {
              report(FsEventType.CONTENT_MODIFIED, d, name, false);
            }
          }
        }
        if (!valid) {
          forget(d);
          if (d.parent == null) {
            sink.event(FsEventType.DELETE, d.root, "", null, 0, 0, 0, 0, 0, FsEvent.IS_DIR);
            sink.flush();
            sink.rootGone(d.root);
          }
        }
        sink.flush();
      } catch (IOException e) {
        sink.dropped();
        sink.flush();
      } finally {
        lock.unlock();
      }
    }

    void created(Dir d, String name) throws IOException {
      if (d.entries.containsKey(name)) {
        return; // seen by the scan that registered d
      }
      Path p = d.path().resolve(name);
      boolean isDir = Files.isDirectory(p, NOFOLLOW);
      d.entries.put(name, isDir);
      report(isDir ? FsEventType.CREATE_DIR : FsEventType.CREATE_FILE, d, name, isDir);
      if (isDir) {
        Dir sub = new Dir(d, name, d.root);
        d.subdirs.put(name, sub);
        scan(sub, true, System.nanoTime());
      }
    }

    void forget(Dir top) {
      ArrayDeque<Dir> todo = new ArrayDeque<>();
      todo.push(top);
      while (!todo.isEmpty()) {
        Dir d = todo.pop();
        if (d.key != null && mine.remove(d.key, d)) {
          List<Dir> l = dirs.get(d.key);
          if (l != null) {
            l.remove(d);
            if (l.isEmpty()) {
              dirs.remove(d.key);
              d.key.cancel();
            }
          }
        }
        todo.addAll(d.subdirs.values());
      }
    }

    @Override
    public void close() {
      lock.lock();
      try {
        closeLocked();
      } finally {
        lock.unlock();
      }
    }

    void closeLocked() {
      if (closed) {
        return;
      }
      closed = true;
      for (Dir r : roots) {
        forget(r);
      }
    }
  }
}
