package io.kqueue4j.linux.descriptor;

import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.descriptor.DescriptorWatch;
import io.kqueue4j.filters.descriptor.ReadinessListener;
import io.kqueue4j.filters.descriptor.ReadinessSource;
import io.kqueue4j.linux.Epoll;
import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.LibC;
import io.kqueue4j.linux.Stat;

/**
 * The Linux source of {@code EVFILT_READ}/{@code EVFILT_WRITE} events: one epoll instance and one
 * thread for the whole process ({@link DescriptorPoller}), inotify for regular files. Serves the
 * real descriptors of {@link LinuxDescriptorSupport}.
 *
 * <p>Available when libc, epoll and {@code statx} answer their probes; nothing is started until the
 * first descriptor is watched.
 */
public final class EpollReadinessSource implements ReadinessSource {

  /** The value of {@link #name()}. */
  public static final String NAME = "linux-epoll";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String supportName() {
    return LinuxDescriptorSupport.NAME;
  }

  @Override
  public int priority() {
    return 100;
  }

  @Override
  public Throwable unavailabilityCause() {
    try {
      if (!LibC.isAvailable()) {
        return LibC.unavailabilityCause();
      }
      if (!Epoll.isAvailable()) {
        return Epoll.unavailabilityCause();
      }
      if (!Stat.isAvailable()) {
        return Stat.unavailabilityCause();
      }
      return Syscalls.unavailabilityCause();
    } catch (LinkageError e) {
      return e;
    }
  }

  @Override
  public DescriptorWatch watch(int fd, ReadinessListener listener) throws KQueueException {
    DescriptorPoller poller;
    try {
      poller = DescriptorPoller.get();
    } catch (ErrnoException e) {
      throw FreeBsdErrno.exception("kevent", e, "starting the epoll thread");
    }
    return LinuxWatch.open(fd, listener, poller);
  }
}
