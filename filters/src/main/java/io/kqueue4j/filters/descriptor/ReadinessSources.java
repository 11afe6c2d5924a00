package io.kqueue4j.filters.descriptor;

import io.kqueue4j.FileDescriptors;
import java.util.ServiceLoader;

/**
 * Which {@link ReadinessSource} feeds {@code EVFILT_READ} and {@code EVFILT_WRITE} on descriptors
 * in this process: the available source with the highest priority among those that understand the
 * descriptors of {@link FileDescriptors#support()}. Chosen once, when first asked.
 *
 * <p>On Linux with module {@code native-linux} that is {@code "linux-epoll"}; without it, the
 * portable fallback {@code "portable-selector"} ({@link SelectorReadinessSource}), which watches
 * only JDK channels.
 */
public final class ReadinessSources {
  private ReadinessSources() {}

  /**
   * The source in use.
   *
   * @return the source chosen when this class was first asked
   * @throws IllegalStateException when no source understands the descriptor support in use
   */
  public static ReadinessSource active() {
    ReadinessSource source = Holder.ACTIVE;
    if (source == null) {
      throw new IllegalStateException(Holder.WHY);
    }
    return source;
  }

  /**
   * The name of the source in use, such as {@code "linux-epoll"}, or {@code "none"}.
   *
   * @return the source's {@link ReadinessSource#name()}, or {@code "none"} when no source
   *     understands the descriptor support in use
   */
  public static String activeName() {
    ReadinessSource source = Holder.ACTIVE;
    return source == null ? "none" : source.name();
  }

  /**
   * Whether the source in use is the portable fallback rather than a native one.
   *
   * @return {@code true} when {@link SelectorReadinessSource} is in use, {@code false} for a
   *     native source or none
   */
  public static boolean isFallback() {
    return Holder.ACTIVE instanceof SelectorReadinessSource;
  }

  private static final class Holder {
    static final String SUPPORT = FileDescriptors.support();
    static final ReadinessSource ACTIVE = choose();
    static final String WHY =
        "no descriptor event source understands the descriptors of support \"" + SUPPORT
            + "\" (on Linux, add io.kqueue4j:native-linux to the class path)";

    private static ReadinessSource choose() {
      ReadinessSource best = null;
      for (ReadinessSource candidate : ServiceLoader.load(ReadinessSource.class)) {
        if (candidate.supportName().equals(SUPPORT)
            && candidate.unavailabilityCause() == null
            && (best == null || candidate.priority() > best.priority())) {
          best = candidate;
        }
      }
      if (best == null && SelectorReadinessSource.SUPPORT_NAME.equals(SUPPORT)) {
        best = SelectorReadinessSource.instance();
      }
      return best;
    }
  }
}
