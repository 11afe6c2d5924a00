package io.kqueue4j.linux.descriptor;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.linux.Epoll;
import io.kqueue4j.linux.EventFd;
import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.LibC;
import io.kqueue4j.linux.LinuxErrno;
import io.kqueue4j.linux.Stat;
import io.kqueue4j.spi.ChannelDescriptors;
import io.kqueue4j.spi.DescriptorSupport;
import java.io.FileDescriptor;
import java.nio.channels.Channel;
import java.nio.file.Path;

/**
 * {@link io.kqueue4j.FileDescriptors} on Linux: real descriptors through libc, the descriptors of
 * JDK objects through {@link ChannelDescriptors} (no JVM flags needed), and eventfds as the
 * descriptors of emulated kqueues. Linux errno values are translated to FreeBSD's.
 *
 * <p>{@link #close(int)} of a descriptor obtained from {@link #of(Channel)} closes the channel, so
 * that the JDK does not later close a number that has been handed to someone else. A descriptor
 * obtained from {@link #of(FileDescriptor)} is closed with {@code close(2)}: the JDK object that
 * owns it must not be closed afterwards (drop the knotes with {@code EV_DELETE} and close the JDK
 * object instead).
 *
 * <p>Available when libc, eventfd, {@code statx} and epoll answer their probes. Epoll is required
 * although this class does not use it: {@link EpollReadinessSource} is the only source that can
 * watch real descriptors, so without epoll the portable support and its {@code Selector} source
 * take over, rather than a support whose descriptors no {@code EVFILT_READ} could watch.
 */
public final class LinuxDescriptorSupport implements DescriptorSupport {

  /** The value of {@link #name()}. */
  public static final String NAME = "linux";

  /** Channels handed out by {@link #of(Channel)}, by descriptor, so that close closes them. */
  private static final ChannelDescriptors.HandedOut CHANNELS = new ChannelDescriptors.HandedOut();

  @Override
  public String name() {
    return NAME;
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
      if (!EventFd.isAvailable()) {
        return EventFd.unavailabilityCause();
      }
      if (!Stat.isAvailable()) {
        return Stat.unavailabilityCause();
      }
      if (!Epoll.isAvailable()) {
        return Epoll.unavailabilityCause();
      }
      return Syscalls.unavailabilityCause();
    } catch (LinkageError e) {
      return e;
    }
  }

  @Override
  public boolean isOpen(int fd) {
    if (fd < 0) {
      return false;
    }
    try {
      LibC.fcntl(fd, LibC.F_GETFD);
      return true;
    } catch (ErrnoException e) {
      return false;
    }
  }

  @Override
  public int open(Path path) throws KQueueException {
    try {
      return LibC.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
    } catch (ErrnoException e) {
      throw FreeBsdErrno.exception("open", e, path.toString());
    } catch (IllegalArgumentException e) {
      throw new KQueueException("open", Errno.EINVAL, e.getMessage(), e);
    }
  }

  @Override
  public int[] pipe() throws KQueueException {
    try {
      return LibC.pipe2(LibC.O_CLOEXEC);
    } catch (ErrnoException e) {
      throw FreeBsdErrno.exception("pipe", e, null);
    }
  }

  @Override
  public int of(Channel channel) throws KQueueException {
    return CHANNELS.fileno(channel);
  }

  @Override
  public int of(FileDescriptor fd) throws KQueueException {
    return ChannelDescriptors.fileno(fd);
  }

  @Override
  public void close(int fd) throws KQueueException {
    if (CHANNELS.close(fd)) {
      return;
    }
    try {
      LibC.close(fd);
    } catch (ErrnoException e) {
      throw FreeBsdErrno.exception("close", e, "descriptor " + fd);
    }
  }

  @Override
  public ReadinessSignal newReadinessSignal() throws KQueueException {
    EventFd eventFd;
    try {
      eventFd = EventFd.open();
    } catch (ErrnoException e) {
      throw FreeBsdErrno.exception("kqueue", e, "eventfd for the kqueue's descriptor");
    }
    return new EventFdSignal(eventFd);
  }

  /** An eventfd that is readable while {@link #set}{@code (true)} holds. */
  private static final class EventFdSignal implements ReadinessSignal {
    private final EventFd eventFd;
    private final int fd;
    private boolean raised;

    EventFdSignal(EventFd eventFd) {
      this.eventFd = eventFd;
      this.fd = eventFd.fd();
    }

    @Override
    public int fd() {
      return fd;
    }

    @Override
    public synchronized void set(boolean readable) {
      if (readable == raised) {
        return;
      }
      try {
        if (readable) {
          eventFd.signal();
        } else {
          eventFd.drain();
        }
        raised = readable;
      } catch (ErrnoException e) {
        // EBADF after close: nothing to signal any more
      }
    }

    @Override
    public synchronized void close() {
      try {
        eventFd.close();
      } catch (ErrnoException e) {
        if (e.errno() != LinuxErrno.EBADF) {
          throw new IllegalStateException(e);
        }
      }
    }
  }
}
