package io.kqueue4j.linux.fsevent;

import io.kqueue4j.linux.internal.NativeLibrary;
import io.kqueue4j.linux.internal.PathBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * {@code llistxattr(2)}: the names of a file's extended attributes, which tell an {@code IN_ATTRIB}
 * from {@code setxattr} or {@code removexattr} apart from one from {@code chmod} or {@code utimes}.
 */
final class Xattrs {
  /** No attributes, or none readable. */
  static final String NONE = "";

  private static final int ERANGE = 34;

  /** The jnr-ffi binding. */
  public interface Functions {
    long llistxattr(@In byte[] path, @Out byte[] list, long size);
  }

  private static final NativeLibrary<Functions> LIBRARY = NativeLibrary.load(Functions.class);
  private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[1024]);

  private Xattrs() {}

  /** Whether the binding works here. */
  static boolean isAvailable() {
    return LIBRARY.cause() == null;
  }

  /**
   * The sorted names, NUL-separated; {@link #NONE} when there are none, or the file system does
   * not support them; null when the file is gone or the call is unavailable.
   */
  static String names(Path path) {
    if (LIBRARY.cause() != null) {
      return null;
    }
    byte[] p = PathBytes.of(path);
    byte[] buf = BUFFER.get();
    for (int attempt = 0; attempt < 4; attempt++) {
      long n;
      try {
        n = LIBRARY.functions().llistxattr(p, buf, buf.length);
      } catch (LinkageError e) {
        return null;
      }
      if (n >= 0) {
        return n == 0 ? NONE : sorted(buf, (int) n);
      }
      int errno = NativeLibrary.errno();
      if (errno != ERANGE) {
        return errno == 2 || errno == 20 ? null : NONE; // ENOENT, ENOTDIR: gone
      }
      long need = LIBRARY.functions().llistxattr(p, null, 0);
      buf = new byte[(int) Math.max(buf.length * 2L, need + 64)];
      BUFFER.set(buf);
    }
    return NONE;
  }

  /** How many names {@code names} holds. */
  static int count(String names) {
    if (names == null || names.isEmpty()) {
      return 0;
    }
    int c = 1;
    for (int i = 0; i < names.length(); i++) {
      if (names.charAt(i) == 0) {
        c++;
      }
    }
    return c;
  }

  private static String sorted(byte[] buf, int length) {
    String[] names = new String(buf, 0, length - (buf[length - 1] == 0 ? 1 : 0),
        StandardCharsets.ISO_8859_1).split("\0");
    Arrays.sort(names);
    return String.join("\0", names);
  }
}
