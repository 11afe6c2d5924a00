package io.kqueue4j.linux.fsevent;

import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.LibC;
import io.kqueue4j.linux.LinuxErrno;
import io.kqueue4j.linux.Stat;
import io.kqueue4j.linux.internal.DirectBuffers;
import io.kqueue4j.linux.internal.FanotifyFunctions;
import io.kqueue4j.linux.internal.NativeLibrary;
import io.kqueue4j.linux.internal.PathBytes;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jnr.ffi.Platform;

/**
 * Lists directory trees for a {@link FanotifyTree} without a path lookup per directory: each
 * directory is opened relative to its parent ({@code openat(O_DIRECTORY | O_NOFOLLOW)}), read with
 * {@code getdents64}, and identified with {@code name_to_handle_at(AT_EMPTY_PATH)}; only the
 * directories on the stack are open at once. A directory on another mount has its file system
 * marked (after {@code fstatfs} gives its {@code fsid}), unless its device is excluded. Symbolic
 * links are not followed; a directory already known under another name (a bind mount of an
 * ancestor) is not descended into.
 *
 * <p>Used under the tree's lock only.
 */
final class FanotifyWalk {

  /** What the walk found. */
  interface Visitor {
    /** A directory, new to the map; {@code dir.parent} is set. */
    void directory(FanotifyDir dir);

    /** A non-directory entry (only reported when the walk announces). */
    void file(FanotifyDir parent, String name);

    /** After each directory listed. */
    void listed();
  }

  static final int AT_EMPTY_PATH = 0x1000;
  private static final int DT_UNKNOWN = 0;
  private static final int DT_DIR = 4;
  private static final int O_DIRECTORY;
  private static final int O_NOFOLLOW;
  private static final byte[] EMPTY = {0};
  /** {@code struct statfs}: {@code f_fsid} follows seven 8-byte fields on 64-bit Linux. */
  private static final int STATFS_FSID = 56;
  private static final int STATFS_SIZE = 120;

  static {
    boolean arm = Platform.getNativePlatform().getCPU() == Platform.CPU.AARCH64;
    O_DIRECTORY = arm ? 040000 : 0200000;
    O_NOFOLLOW = arm ? 0100000 : 0400000;
  }

  private final FanotifyGroup group;
  private final Map<FanotifyHandle, FanotifyDir> dirs;
  private final java.util.function.LongPredicate excludedDevice;
  /** {@code fsid} by mount id, for the mounts seen. */
  private final Map<Integer, Long> fsids = new HashMap<>();
  private final ByteBuffer dents = DirectBuffers.allocate(32 * 1024);
  private final long dentsAddress = DirectBuffers.address(dents);
  private final ByteBuffer handle = DirectBuffers.allocate(FanotifyHandle.FILE_HANDLE_HEADER
      + FanotifyHandle.MAX_HANDLE_SZ);
  private final long handleAddress = DirectBuffers.address(handle);
  private final ByteBuffer statfs = DirectBuffers.allocate(STATFS_SIZE);
  private final long statfsAddress = DirectBuffers.address(statfs);
  private final int[] mountId = new int[1];

  long directories;
  long entries;

  FanotifyWalk(FanotifyGroup group, Map<FanotifyHandle, FanotifyDir> dirs,
      java.util.function.LongPredicate excludedDevice) {
    this.group = group;
    this.dirs = dirs;
    this.excludedDevice = excludedDevice;
  }

  /** One directory being listed: its descriptor and the subdirectories still to visit. */
  private static final class Frame {
    final FanotifyDir dir;
    final int fd;
    /** NUL-terminated names of the entries that are, or may be ({@code DT_UNKNOWN}), directories. */
    final List<byte[]> subdirs = new ArrayList<>();
    final List<Boolean> known = new ArrayList<>();
    int next;

    Frame(FanotifyDir dir, int fd) {
      this.dir = dir;
      this.fd = fd;
    }
  }

  /**
   * Opens root {@code path}, marks its file system and returns its directory (not yet in the map).
   *
   * @throws ErrnoException when the root cannot be opened, identified or marked
   */
  FanotifyDir openRoot(Path path, int index, int[] fdOut) throws ErrnoException {
    int fd = LibC.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC | O_DIRECTORY);
    try {
      FanotifyHandle h = identify(fd, path.toString(), true, false);
      fdOut[0] = fd;
      return new FanotifyDir(null, path.toString(), index, h);
    } catch (ErrnoException | RuntimeException e) {
      LibC.close(fd);
      throw e;
    }
  }

  /**
   * Lists {@code top} (open as {@code fd}, which this call closes) and everything below it, adding
   * each directory found to the map and telling {@code visitor}; files only when {@code announce}.
   *
   * @param strict whether a file system that cannot be marked fails the walk (start-up), rather
   *     than leaving that subtree unwatched (later)
   */
  void walk(FanotifyDir top, int fd, boolean announce, boolean strict, Visitor visitor)
      throws ErrnoException {
    FanotifyFunctions f = FanotifyGroup.functions();
    ArrayDeque<Frame> stack = new ArrayDeque<>();
    try {
      Frame first = new Frame(top, fd);
      stack.push(first);
      list(first, announce, visitor);
      while (!stack.isEmpty()) {
        Frame fr = stack.peek();
        if (fr.next == fr.subdirs.size()) {
          stack.pop();
          LibC.close(fr.fd);
          continue;
        }
        int i = fr.next++;
        byte[] raw = fr.subdirs.get(i);
        String name = new String(raw, 0, raw.length - 1, PathBytes.FILE_NAME_CHARSET);
        int cfd = f.openat(fr.fd, raw, LibC.O_RDONLY | LibC.O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW, 0);
        if (cfd < 0) {
          int errno = NativeLibrary.errno();
          if ((errno == LinuxErrno.ENOTDIR || errno == LinuxErrno.ELOOP) && !fr.known.get(i)
              && announce) {
            visitor.file(fr.dir, name); // DT_UNKNOWN, and not a directory after all
          }
          continue; // gone, unreadable (EACCES), or a link: nothing to list
        }
        FanotifyHandle h;
        try {
          h = identify(cfd, name, strict, true);
        } catch (ErrnoException | RuntimeException e) {
          LibC.close(cfd);
          throw e;
        }
        FanotifyDir other = h == null ? null : dirs.get(h);
        if (h == null || (other != null && !other.dead && other.top() != null)) {
          LibC.close(cfd); // excluded device, or the same directory again (a bind-mount loop)
          continue;
        }
        FanotifyDir d = new FanotifyDir(fr.dir, name, -1, h);
        d.baseline = !announce;
        dirs.put(h, d);
        visitor.directory(d);
        Frame child = new Frame(d, cfd);
        stack.push(child);
        list(child, announce, visitor);
      }
    } finally {
      for (Frame fr : stack) {
        LibC.close(fr.fd);
      }
    }
  }

  /** Reads every entry of {@code fr}: files to the visitor, directory names to visit. */
  private void list(Frame fr, boolean announce, Visitor visitor) throws ErrnoException {
    directories++;
    FanotifyFunctions f = FanotifyGroup.functions();
    while (true) {
      long n = f.getdents64(fr.fd, dentsAddress, dents.capacity());
      if (n < 0) {
        int errno = NativeLibrary.errno();
        if (errno == LinuxErrno.ENOENT) {
          break; // removed while listed
        }
        throw new ErrnoException("getdents64", errno, fr.dir.name);
      }
      if (n == 0) {
        break;
      }
      for (int off = 0; off < n; ) {
        int reclen = dents.getShort(off + 16) & 0xffff;
        int type = dents.get(off + 18) & 0xff;
        int nameEnd = off + 19;
        while (dents.get(nameEnd) != 0) {
          nameEnd++;
        }
        int len = nameEnd - off - 19;
        boolean dot = len <= 2 && dents.get(off + 19) == '.'
            && (len == 1 || dents.get(off + 20) == '.');
        if (!dot) {
          entries++;
          if (type == DT_DIR || type == DT_UNKNOWN) {
            byte[] b = new byte[len + 1];
            dents.get(off + 19, b, 0, len);
            fr.subdirs.add(b);
            fr.known.add(type == DT_DIR);
          } else if (announce) {
            byte[] b = new byte[len];
            dents.get(off + 19, b);
            visitor.file(fr.dir, new String(b, PathBytes.FILE_NAME_CHARSET));
          }
        }
        off += reclen;
      }
    }
    visitor.listed();
  }

  /**
   * The handle of the directory open as {@code fd}; marks its file system when it is on a mount
   * not seen before. Null when its device is excluded (and {@code exclude}: a root's own device
   * is left to the watcher's filter), or (unless {@code strict}) when its file system cannot be
   * watched.
   */
  /**
   * The handle of directory {@code path} (not followed if a link) on the file system of {@code
   * sameFs}, or null when it is gone or not a directory.
   */
  FanotifyHandle handleOf(Path path, FanotifyHandle sameFs) {
    handle.putInt(0, FanotifyHandle.MAX_HANDLE_SZ);
    if (FanotifyGroup.functions().name_to_handle_at(FanotifyGroup.AT_FDCWD, PathBytes.of(path),
        handleAddress, mountId, 0) < 0) {
      return null;
    }
    return FanotifyHandle.of(sameFs.fsid(), handle, 0);
  }

  private FanotifyHandle identify(int fd, String what, boolean strict, boolean exclude)
      throws ErrnoException {
    handle.putInt(0, FanotifyHandle.MAX_HANDLE_SZ);
    FanotifyFunctions f = FanotifyGroup.functions();
    if (f.name_to_handle_at(fd, EMPTY, handleAddress, mountId, AT_EMPTY_PATH) < 0) {
      int errno = NativeLibrary.errno();
      if (strict) {
        throw new ErrnoException("name_to_handle_at", errno,
            what + ": the file system cannot give file handles, which fanotify reports");
      }
      return null;
    }
    Long fsid = fsids.get(mountId[0]);
    if (fsid == null) {
      if (exclude && excludedDevice.test(Stat.fstat(fd).dev())) {
        return null;
      }
      if (f.fstatfs(fd, statfsAddress) < 0) {
        throw new ErrnoException("fstatfs", NativeLibrary.errno(), what);
      }
      fsid = statfs.getLong(STATFS_FSID);
      try {
        group.markFilesystem(fd, what);
      } catch (ErrnoException e) {
        if (strict) {
          throw e;
        }
        return null;
      }
      fsids.put(mountId[0], fsid);
    }
    return FanotifyHandle.of(fsid, handle, 0);
  }
}
