package io.kqueue4j.filters.vnode;

import io.kqueue4j.Errno;
import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.descriptor.SelectorDescriptors;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * Which {@link VnodeSource} feeds {@code EVFILT_VNODE} in this process, chosen once when first
 * asked: the available source with the highest priority among those that understand the
 * descriptors of {@link FileDescriptors#support()} (on Linux with module {@code native-linux},
 * {@code "linux-inotify"}); failing that, the portable fallback {@link PollingVnodeSource}, which
 * logs a warning that names itself, its interval and why no native source is in use. The fallback
 * needs OS descriptors to {@code stat}: with a descriptor support whose descriptors are tokens for
 * JDK channels ({@code portable-selector}, used when no native module is on the class path) no
 * source can run, and registration fails with {@code EOPNOTSUPP} saying so.
 *
 * <p>System property {@value #SOURCE_PROPERTY} names a source to use instead (for instance {@code
 * portable-stat-polling} for a network file system whose remote changes inotify does not see).
 */
public final class VnodeSources {
  /** The system property that forces a source by name. */
  public static final String SOURCE_PROPERTY = "io.kqueue4j.vnode.source";

  private static final System.Logger LOG = System.getLogger(VnodeSources.class.getName());
  /** Descriptor supports whose numbers are not OS descriptors, so nothing can {@code stat} them. */
  private static final Set<String> WITHOUT_OS_DESCRIPTORS =
      Set.of("portable", SelectorDescriptors.NAME);

  private VnodeSources() {}

  /**
   * The source in use.
   *
   * @return the source chosen when this class was first used
   * @throws KQueueException {@code EOPNOTSUPP} naming why no source can watch files here
   */
  public static VnodeSource active() throws KQueueException {
    VnodeSource source = Holder.ACTIVE;
    if (source == null) {
      throw new KQueueException("kevent", Errno.EOPNOTSUPP, "EVFILT_VNODE: " + Holder.WHY);
    }
    return source;
  }

  /**
   * The name of the source in use, such as {@code "linux-inotify"}, or {@code "none"}.
   *
   * @return the source's {@link VnodeSource#name()}, or {@code "none"} when no source can run
   */
  public static String activeName() {
    VnodeSource source = Holder.ACTIVE;
    return source == null ? "none" : source.name();
  }

  /**
   * Whether the source in use is the portable stat-polling fallback.
   *
   * @return {@code true} when {@link PollingVnodeSource} is in use
   */
  public static boolean isFallback() {
    return Holder.ACTIVE instanceof PollingVnodeSource;
  }

  private static final class Holder {
    static final String SUPPORT = FileDescriptors.support();
    static String WHY = "no source";
    static final VnodeSource ACTIVE = choose();

    private static VnodeSource choose() {
      String forced = System.getProperty(SOURCE_PROPERTY);
      List<String> rejected = new ArrayList<>();
      VnodeSource best = null;
      List<VnodeSource> candidates = new ArrayList<>();
      try {
        Iterator<VnodeSource> providers = ServiceLoader.load(VnodeSource.class).iterator();
        for (int tries = 0; tries < 64; tries++) {
          try {
            if (!providers.hasNext()) {
              break;
            }
            candidates.add(providers.next());
          } catch (ServiceConfigurationError e) { // a broken entry: skip it, keep the others
            rejected.add("a source could not be loaded: " + e.getMessage());
          }
        }
      } catch (ServiceConfigurationError e) { // no "uses" clause on the module path
        rejected.add("no source could be looked up: " + e.getMessage());
      }
      candidates.add(PollingVnodeSource.instance());
      for (VnodeSource candidate : candidates) {
        if (forced != null && !forced.equals(candidate.name())) {
          continue;
        }
        Throwable why = candidate.unavailabilityCause();
        if (candidate.supportName() != null && !candidate.supportName().equals(SUPPORT)) {
          rejected.add(candidate.name() + " needs descriptor support \"" + candidate.supportName()
              + "\", not \"" + SUPPORT + "\"");
        } else if (candidate.supportName() == null && WITHOUT_OS_DESCRIPTORS.contains(SUPPORT)) {
          rejected.add(candidate.name() + " needs OS descriptors, and descriptor support \""
              + SUPPORT + "\" hands out numbers that stand for JDK channels"
              + " (on Linux, add io.kqueue4j:native-linux)");
        } else if (why != null) {
          rejected.add(candidate.name() + " is unavailable: "
              + (why.getMessage() != null ? why.getMessage() : why.toString()));
        } else if (candidate instanceof PollingVnodeSource && best != null) {
          continue;
        } else if (best == null || candidate.priority() > best.priority()) {
          best = candidate;
        }
      }
      if (best == null) {
        WHY = (forced != null ? "source \"" + forced + "\" (" + SOURCE_PROPERTY + ") not usable"
            : "no source can watch files with descriptor support \"" + SUPPORT + "\"")
            + (rejected.isEmpty() ? "" : ": " + String.join("; ", rejected));
      } else if (best instanceof PollingVnodeSource polling) {
        LOG.log(Level.WARNING, "EVFILT_VNODE uses the portable fallback " + polling.name()
            + ": files are stat-polled every " + polling.interval().toMillis() + " ms by one thread"
            + (forced != null ? " (chosen with " + SOURCE_PROPERTY + ")"
                : rejected.isEmpty() ? "; no native source is on the class path"
                : "; " + String.join("; ", rejected)));
      }
      return best;
    }
  }
}
