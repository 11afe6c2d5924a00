package io.kqueue4j.linux.internal;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Arrays;

/** A {@link Path} as the NUL-terminated bytes the kernel takes, encoded as the JDK encodes it. */
public final class PathBytes {

  /** The JDK encodes file names with {@code sun.jnu.encoding}, not with {@code file.encoding}. */
  public static final Charset FILE_NAME_CHARSET = fileNameCharset();

  private PathBytes() {}

  /** The path's bytes followed by one NUL. */
  public static byte[] of(Path path) {
    if (path.getFileSystem() != FileSystems.getDefault()) {
      throw new IllegalArgumentException("not a path of the default file system: " + path.toUri());
    }
    byte[] bytes = path.toString().getBytes(FILE_NAME_CHARSET);
    return Arrays.copyOf(bytes, bytes.length + 1);
  }

  private static Charset fileNameCharset() {
    String name = System.getProperty("sun.jnu.encoding");
    try {
      return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
    } catch (IllegalArgumentException e) {
      return StandardCharsets.UTF_8;
    }
  }
}
