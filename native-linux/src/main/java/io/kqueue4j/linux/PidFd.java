package io.kqueue4j.linux;

import io.kqueue4j.linux.internal.Availability;
import io.kqueue4j.linux.internal.LibCFunctions;
import io.kqueue4j.linux.internal.Libraries;
import io.kqueue4j.linux.internal.NativeLibrary;
import io.kqueue4j.linux.internal.OwnedFd;
import io.kqueue4j.linux.internal.Scratch;
import java.nio.ByteBuffer;

/**
 * {@code pidfd_open(2)} (syscall 434): a descriptor for one process that epoll sees as readable
 * ({@link Epoll#EPOLLIN}) once the process has exited, that can be signalled without the pid-reuse
 * race of {@code kill}, and that {@code waitid(P_PIDFD)} accepts.
 *
 * <p>Linux 5.3 added {@code pidfd_open}, 5.4 {@code waitid(P_PIDFD)}; both are probed, not assumed.
 * {@link #close()} must not race with the other methods.
 */
public final class PidFd implements AutoCloseable {

  /** {@code __NR_pidfd_open}, the same number on every Linux CPU since 5.3. */
  public static final int SYS_PIDFD_OPEN = 434;

  /** {@code __NR_pidfd_send_signal}, the same number on every Linux CPU since 5.1. */
  public static final int SYS_PIDFD_SEND_SIGNAL = 424;

  /** {@code idtype_t} of {@code waitid} for a pidfd. */
  public static final int P_PIDFD = 3;

  /** {@code WNOHANG}: return at once, with no status, if the child has not changed state. */
  public static final int WNOHANG = 0x00000001;
  /** {@code WSTOPPED}: report a child stopped by a signal. */
  public static final int WSTOPPED = 0x00000002;
  /** {@code WEXITED}: report a child that has exited or was killed. */
  public static final int WEXITED = 0x00000004;
  /** {@code WCONTINUED}: report a stopped child resumed by {@code SIGCONT}. */
  public static final int WCONTINUED = 0x00000008;

  /** Leave the child waitable: another {@code waitid}, or the JDK's reaper, still sees it. */
  public static final int WNOWAIT = 0x01000000;

  private static final int SIGINFO_SIZE = 128;
  private static final int SI_CODE_OFFSET = 8;
  private static final int SI_PID_OFFSET = 16;
  private static final int SI_STATUS_OFFSET = 24;

  private final OwnedFd fd;
  private final int pid;

  private PidFd(int fd, int pid) {
    this.fd = new OwnedFd(fd);
    this.pid = pid;
  }

  /**
   * True when {@code pidfd_open} works here (probed once on this process's own pid).
   *
   * @return whether {@link #open} and {@link #sendSignal} can succeed on this system
   */
  public static boolean isAvailable() {
    return Probe.RESULT.isAvailable();
  }

  /**
   * Why {@link #isAvailable()} is false, or null.
   *
   * @return the failure of the probe, or null when pidfds are available
   */
  public static Throwable unavailabilityCause() {
    return Probe.RESULT.cause();
  }

  /**
   * True when {@code waitid(P_PIDFD, ...)} is understood (Linux 5.4+), probed on a pidfd of this
   * process: {@code ECHILD} means understood, {@code EINVAL} means not.
   *
   * @return whether {@link #waitid} can succeed on this system
   */
  public static boolean isWaitidAvailable() {
    return WaitidProbe.RESULT.isAvailable();
  }

  /**
   * Why {@link #isWaitidAvailable()} is false, or null.
   *
   * @return the failure of the probe, or null when {@code waitid(P_PIDFD)} is available
   */
  public static Throwable waitidUnavailabilityCause() {
    return WaitidProbe.RESULT.cause();
  }

  /**
   * {@code syscall(SYS_pidfd_open, pid, 0)}, close-on-exec as every pidfd is.
   *
   * @param pid the process, a positive pid
   * @return a pidfd for the process, which the caller closes
   * @throws ErrnoException {@code ESRCH} when no such process exists (a zombie still counts),
   *     {@code EINVAL} for a pid that is not positive or above {@code Integer.MAX_VALUE}, {@code
   *     EMFILE} or {@code ENFILE} when the descriptor limit is reached
   * @throws UnsupportedOperationException if {@link #isAvailable()} is false
   */
  public static PidFd open(long pid) throws ErrnoException {
    Probe.RESULT.require();
    if (pid <= 0 || pid > Integer.MAX_VALUE) {
      throw new ErrnoException("pidfd_open", LinuxErrno.EINVAL, "pid " + pid);
    }
    return new PidFd(openRaw((int) pid), (int) pid);
  }

  /**
   * The pidfd, -1 once closed.
   *
   * @return the descriptor number, or -1
   */
  public int fd() {
    return fd.get();
  }

  /**
   * The pid this descriptor was opened for.
   *
   * @return the pid given to {@link #open}
   */
  public int pid() {
    return pid;
  }

  /**
   * {@code syscall(SYS_pidfd_send_signal, pidfd, signal, NULL, 0)}: {@code kill} without the
   * pid-reuse race. Signal 0 only checks that the process still exists.
   *
   * @param signal the signal number, such as {@link LibC#SIGTERM}, or 0
   * @throws ErrnoException {@code ESRCH} once the process has exited, {@code EPERM} if it may not
   *     be signalled, {@code EINVAL} for an invalid signal, {@code EBADF} once closed
   */
  public void sendSignal(int signal) throws ErrnoException {
    long result = libc().syscall(SYS_PIDFD_SEND_SIGNAL, fd.get(), signal, 0L, 0L);
    if (result < 0) {
      throw new ErrnoException(
          "pidfd_send_signal", NativeLibrary.errno(), "pid " + pid + ", signal " + signal);
    }
  }

  /**
   * {@code waitid(P_PIDFD, pidfd, &info, options)}: the child's state change, for {@code options}
   * from {@link #WEXITED}, {@link #WSTOPPED}, {@link #WCONTINUED}, {@link #WNOHANG} and {@link
   * #WNOWAIT}. {@code WEXITED | WNOHANG | WNOWAIT} reads an exit status without reaping the child.
   * {@code EINTR} is retried.
   *
   * @param options {@code W*} flags; at least one of {@code WEXITED}, {@code WSTOPPED} and {@code
   *     WCONTINUED}
   * @return the state change, or null when {@code WNOHANG} was given and there is none yet
   * @throws ErrnoException {@code ECHILD} when the process is not this process's child or has been
   *     reaped already (the JDK reaps the children it starts as soon as they exit), {@code
   *     EINVAL} for invalid options
   * @throws UnsupportedOperationException if {@link #isWaitidAvailable()} is false
   */
  public ChildStatus waitid(int options) throws ErrnoException {
    WaitidProbe.RESULT.require();
    LibCFunctions c = libc();
    Scratch scratch = Scratch.get();
    while (true) {
      scratch.clear(SIGINFO_SIZE);
      if (c.waitid(P_PIDFD, fd.get(), scratch.address(), options) == 0) {
        ByteBuffer info = scratch.buffer();
        int childPid = info.getInt(SI_PID_OFFSET);
        return childPid == 0
            ? null
            : new ChildStatus(childPid, info.getInt(SI_CODE_OFFSET), info.getInt(SI_STATUS_OFFSET));
      }
      int errno = NativeLibrary.errno();
      if (errno != LinuxErrno.EINTR) {
        throw new ErrnoException("waitid", errno, "P_PIDFD of pid " + pid);
      }
    }
  }

  /** {@code close(2)} of the pidfd; the process is not affected. */
  @Override
  public void close() throws ErrnoException {
    fd.close();
  }

  private static int openRaw(int pid) throws ErrnoException {
    long pidfd = libc().syscall(SYS_PIDFD_OPEN, pid, 0L, 0L, 0L);
    if (pidfd < 0) {
      throw new ErrnoException("pidfd_open", NativeLibrary.errno(), "pid " + pid);
    }
    return (int) pidfd;
  }

  private static LibCFunctions libc() {
    return Libraries.libc().functions();
  }

  private static final class Probe {
    static final Availability RESULT =
        Availability.probe(
            "pidfd_open",
            Libraries.libc(),
            () -> {
              int pidfd = openRaw(libc().getpid());
              try {
                if (libc().syscall(SYS_PIDFD_SEND_SIGNAL, pidfd, 0L, 0L, 0L) < 0) {
                  throw new ErrnoException("pidfd_send_signal", NativeLibrary.errno());
                }
              } finally {
                LibC.close(pidfd);
              }
            });
  }

  private static final class WaitidProbe {
    static final Availability RESULT =
        Availability.probe(
            "waitid(P_PIDFD)",
            Libraries.libc(),
            () -> {
              Probe.RESULT.require();
              int pidfd = openRaw(libc().getpid());
              try {
                Scratch scratch = Scratch.get().clear(SIGINFO_SIZE);
                if (libc().waitid(P_PIDFD, pidfd, scratch.address(), WEXITED | WNOHANG) == 0) {
                  throw new IllegalStateException(
                      "waitid(P_PIDFD) on this process itself succeeded");
                }
                int errno = NativeLibrary.errno();
                if (errno != LinuxErrno.ECHILD) {
                  throw new ErrnoException("waitid", errno, "P_PIDFD probe");
                }
              } finally {
                LibC.close(pidfd);
              }
            });
  }
}
