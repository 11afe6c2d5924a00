package io.kqueue4j.bsd.descriptor;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.bsd.internal.Dialect;
import io.kqueue4j.spi.ChannelDescriptors;
import io.kqueue4j.spi.DescriptorSupport;
import java.io.FileDescriptor;
import java.nio.channels.Channel;
import java.nio.file.Path;
import jnr.ffi.Platform;

/**
 * {@link io.kqueue4j.FileDescriptors} on FreeBSD, macOS, NetBSD and OpenBSD: real descriptors
 * from the C library (bound with jnr-ffi), so that they can be passed to the native kqueue as
 * idents. {@code open} is {@code O_RDONLY | O_CLOEXEC}, plus {@code O_EVTONLY} on macOS; {@code
 * pipe} is {@code pipe2(O_CLOEXEC)}, or {@code pipe} and {@code fcntl(F_SETFD, FD_CLOEXEC)} where
 * libc has no {@code pipe2} (macOS); the descriptors of JDK objects are read by {@link
 * ChannelDescriptors}; an emulated kqueue's descriptor is the read end of a pipe. The OS's errno
 * values are translated to FreeBSD's ({@link Dialect#errnoFromOs}).
 *
 * <p>{@link #close(int)} of a descriptor obtained from {@link #of(Channel)} closes the channel, so
 * that the JDK does not later close a number that has been handed to someone else. A descriptor
 * obtained from {@link #of(FileDescriptor)} is closed with {@code close(2)}: the JDK object that
 * owns it must not be closed afterwards. Dropping the descriptor's knotes from emulated kqueues
 * ({@code knote_fdclose}) is done by the core before it calls {@link #close(int)}; the kernel drops
 * a native kqueue's own.
 *
 * <p>Priority {@value #PRIORITY}: below {@code native-linux}'s support, above the portable
 * fallback's. On Linux {@link #unavailabilityCause()} names {@code native-linux} instead, whose
 * descriptors the Linux event sources understand; an instance made there directly still works.
 *
 * <p>Thread-safe.
 */
public final class PosixDescriptorSupport implements DescriptorSupport {

  /** The value of {@link #name()}. */
  public static final String NAME = "posix";

  /** The value of {@link #priority()}. */
  public static final int PRIORITY = 50;

  /** The C library given by a test, or null for this OS's ({@link Bound}). */
  private final PosixLibc given;
  /** Channels handed out by {@link #of(Channel)}, by descriptor, so that close closes them. */
  private final ChannelDescriptors.HandedOut channels = new ChannelDescriptors.HandedOut();

  /**
   * For {@link java.util.ServiceLoader}: this OS's C library, bound on first use. Nothing is bound
   * to answer {@link #unavailabilityCause()} on Linux.
   */
  public PosixDescriptorSupport() {
    this.given = null;
  }

  PosixDescriptorSupport(PosixLibc libc) {
    this.given = libc;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return PRIORITY;
  }

  @Override
  public Throwable unavailabilityCause() {
    if (given == null && HostOs.FAILURE != null) {
      return HostOs.FAILURE;
    }
    if ((given != null ? given.dialect() : HostOs.DIALECT) == Dialect.LIBKQUEUE) {
      return new UnsupportedOperationException(
          "posix descriptor support serves FreeBSD, macOS, NetBSD and OpenBSD;"
              + " on Linux add io.kqueue4j:native-linux, whose event sources understand its"
              + " descriptors");
    }
    return given == null ? Bound.FAILURE : null;
  }

  @Override
  public boolean isOpen(int fd) {
    PosixLibc libc = given != null ? given : Bound.LIBC;
    return libc != null && libc.isOpen(fd);
  }

  @Override
  public int open(Path path) throws KQueueException {
    return bound("open").open(path);
  }

  @Override
  public int[] pipe() throws KQueueException {
    return bound("pipe").pipe();
  }

  @Override
  public int of(Channel channel) throws KQueueException {
    return channels.fileno(channel);
  }

  @Override
  public int of(FileDescriptor fd) throws KQueueException {
    return ChannelDescriptors.fileno(fd);
  }

  @Override
  public void close(int fd) throws KQueueException {
    if (channels.close(fd)) {
      return;
    }
    bound("close").close(fd);
  }

  @Override
  public ReadinessSignal newReadinessSignal() throws KQueueException {
    return PipeSignal.open(bound("kqueue"));
  }

  private PosixLibc bound(String call) throws KQueueException {
    if (given != null) {
      return given;
    }
    if (Bound.LIBC == null) {
      throw new KQueueException(
          call, Errno.EOPNOTSUPP, Bound.FAILURE.getMessage(), Bound.FAILURE);
    }
    return Bound.LIBC;
  }

  /** This OS, told by jnr-ffi from the OS name; nothing native is loaded. */
  private static final class HostOs {
    static final Dialect DIALECT;
    static final Throwable FAILURE;

    static {
      Dialect dialect = null;
      Throwable failure = null;
      try {
        Platform.OS os = Platform.getNativePlatform().getOS();
        dialect = PosixLibc.dialectOf(os);
        if (dialect == null) {
          failure = new UnsupportedOperationException(
              "posix descriptor support knows no fcntl.h constants of " + os);
        }
      } catch (Throwable t) { // jnr-ffi cannot run here
        failure = new UnsupportedOperationException(
            "posix descriptor support: jnr-ffi cannot run here (" + t + ")", t);
      }
      DIALECT = dialect;
      FAILURE = failure;
    }
  }

  /** This OS's C library, bound on first use; or why it cannot be. */
  private static final class Bound {
    static final PosixLibc LIBC;
    static final Throwable FAILURE;

    static {
      PosixLibc libc = null;
      Throwable failure = HostOs.FAILURE;
      if (failure == null) {
        try {
          libc = PosixLibc.bind(HostOs.DIALECT);
        } catch (Throwable t) { // jffi's stub missing for this platform, libc not found
          failure = new UnsupportedOperationException(
              "posix descriptor support cannot bind the C library: " + t, t);
        }
      }
      LIBC = libc;
      FAILURE = failure;
    }
  }
}
