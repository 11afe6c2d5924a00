package io.kqueue4j.filters.fsevent;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Which {@link FsEventSource} feeds {@link FsWatcher}s in this process: the available source with
 * the highest priority, chosen once when first asked. With module {@code native-linux} on Linux that
 * is {@code "linux-inotify"}; otherwise the portable {@code "portable-watchservice"}. A source of
 * lower priority, such as {@code "linux-fanotify"}, is used when a watcher asks for it by name
 * ({@link FsWatcher.Builder#source}).
 */
public final class FsEventSources {
  private FsEventSources() {}

  /**
   * The source in use.
   *
   * @return the available source with the highest priority
   * @throws IllegalStateException when no source is available
   */
  public static FsEventSource active() {
    FsEventSource s = Holder.ACTIVE;
    if (s == null) {
      throw new IllegalStateException("no file-system event source is available: " + Holder.WHY);
    }
    return s;
  }

  /** {@return the name of the source in use, or {@code "none"}} */
  public static String activeName() {
    return Holder.ACTIVE == null ? "none" : Holder.ACTIVE.name();
  }

  /** {@return every source found, available or not} */
  public static List<FsEventSource> all() {
    return Holder.ALL;
  }

  /**
   * The source named {@code name}.
   *
   * @param name the {@link FsEventSource#name()} to look for
   * @return the source, available here
   * @throws IllegalArgumentException when there is none, or it is not available here
   */
  public static FsEventSource named(String name) {
    for (FsEventSource s : Holder.ALL) {
      if (s.name().equals(name)) {
        Throwable why = s.unavailabilityCause();
        if (why != null) {
          throw new IllegalArgumentException("source " + name + " is not available: " + why, why);
        }
        return s;
      }
    }
    throw new IllegalArgumentException("no file-system event source named " + name);
  }

  /**
   * The source named {@code name}, for a watcher that asked for it.
   *
   * @param name the {@link FsEventSource#name()} the watcher asked for
   * @return the source, available here
   * @throws KQueueException {@code ENOENT} when no source has that name (the message lists those
   *     found); when it cannot run here, the errno of its {@link
   *     FsEventSource#unavailabilityCause()} if that is a {@link KQueueException} (such as {@code
   *     EPERM} for a missing capability), else {@code EOPNOTSUPP}, with the reason in the message
   */
  public static FsEventSource require(String name) throws KQueueException {
    for (FsEventSource s : Holder.ALL) {
      if (s.name().equals(name)) {
        Throwable why = s.unavailabilityCause();
        if (why != null) {
          int errno = why instanceof KQueueException k ? k.errno() : Errno.EOPNOTSUPP;
          throw new KQueueException("FsWatcher.build", errno,
              "file-system event source " + name + " is not available: " + why.getMessage(), why);
        }
        return s;
      }
    }
    List<String> names = new ArrayList<>();
    for (FsEventSource s : Holder.ALL) {
      names.add(s.name());
    }
    throw new KQueueException("FsWatcher.build", Errno.ENOENT,
        "no file-system event source named " + name + " (found: " + names + ")");
  }

  private static final class Holder {
    static final List<FsEventSource> ALL = load();
    static final FsEventSource ACTIVE = choose();
    static final String WHY = reasons();

    private static List<FsEventSource> load() {
      List<FsEventSource> found = new ArrayList<>();
      for (FsEventSource s : ServiceLoader.load(FsEventSource.class)) {
        found.add(s);
      }
      return List.copyOf(found);
    }

    private static FsEventSource choose() {
      FsEventSource best = null;
      for (FsEventSource s : ALL) {
        if (s.unavailabilityCause() == null && (best == null || s.priority() > best.priority())) {
          best = s;
        }
      }
      return best;
    }

    private static String reasons() {
      StringBuilder b = new StringBuilder();
      for (FsEventSource s : ALL) {
        b.append(s.name()).append(": ").append(s.unavailabilityCause()).append("; ");
      }
      return b.length() == 0 ? "none found" : b.toString();
    }
  }
}
