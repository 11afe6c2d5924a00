package io.kqueue4j.linux.vnode;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.SaveError;

/**
 * A seccomp filter that makes chosen system calls of this process fail with an errno, as a kernel
 * built without them (or a sandbox that forbids them) would: for tests of how a facility's absence
 * is handled, on the real code path. Public for the tests of other packages that do the same.
 */
public final class Seccomp {
  /** The calls needed; {@code syscall} is variadic in C, called here with fixed arguments. */
  public interface Functions {
    @SaveError
    int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    @SaveError
    long syscall(long number, long operation, long flags, Pointer program);
  }

  /** {@code ENOSYS}: the errno of a call the kernel does not have. */
  public static final int ENOSYS = 38;
  /** {@code EPERM}: the errno a sandbox's seccomp profile (Docker's default) gives a denied call. */
  public static final int EPERM = 1;

  private static final int PR_SET_NO_NEW_PRIVS = 38;
  private static final int SECCOMP_SET_MODE_FILTER = 1;
  private static final int SECCOMP_FILTER_FLAG_TSYNC = 1;
  private static final int SECCOMP_RET_ALLOW = 0x7fff0000;
  private static final int SECCOMP_RET_ERRNO = 0x00050000;
  private static final short BPF_LD_W_ABS = 0x20;
  private static final short BPF_JMP_JEQ_K = 0x15;
  private static final short BPF_RET_K = 0x06;

  private Seccomp() {}

  /** The numbers of {@code inotify_init} and {@code inotify_init1} here, or null if unknown. */
  static int[] inotifyInitCalls() {
    return switch (System.getProperty("os.arch")) {
      case "amd64", "x86_64" -> new int[] {253, 294};
      case "aarch64" -> new int[] {26};
      default -> null;
    };
  }

  /**
   * The numbers of {@code epoll_create} and {@code epoll_create1} here, or null if unknown.
   *
   * @return the system call numbers, for {@link #deny}
   */
  public static int[] epollCreateCalls() {
    return switch (System.getProperty("os.arch")) {
      case "amd64", "x86_64" -> new int[] {213, 291};
      case "aarch64" -> new int[] {20};
      default -> null;
    };
  }

  private static long seccompCall() {
    return System.getProperty("os.arch").equals("aarch64") ? 277 : 317;
  }

  /**
   * Makes {@code calls} fail with {@code errno} in every thread of this process from now on.
   *
   * @param errno what the denied calls fail with
   * @param calls the system call numbers to deny
   * @throws IllegalStateException when the filter cannot be installed
   */
  public static void deny(int errno, int... calls) {
    Functions c = LibraryLoader.create(Functions.class).load("c");
    Runtime runtime = Runtime.getRuntime(c);
    int n = calls.length + 3;
    Pointer program = Memory.allocateDirect(runtime, 8 * n);
    put(program, 0, BPF_LD_W_ABS, 0, 0); // seccomp_data.nr
    for (int i = 0; i < calls.length; i++) {
      put(program, 1 + i, BPF_JMP_JEQ_K, calls.length - i, calls[i]); // to the errno return
    }
    put(program, 1 + calls.length, BPF_RET_K, 0, SECCOMP_RET_ALLOW);
    put(program, 2 + calls.length, BPF_RET_K, 0, SECCOMP_RET_ERRNO | errno);
    Pointer fprog = Memory.allocateDirect(runtime, 16);
    fprog.putShort(0, (short) n);
    fprog.putPointer(8, program);
    if (c.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
      throw new IllegalStateException("prctl(PR_SET_NO_NEW_PRIVS): errno "
          + runtime.getLastError());
    }
    if (c.syscall(seccompCall(), SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, fprog) != 0) {
      throw new IllegalStateException("seccomp(SECCOMP_SET_MODE_FILTER): errno "
          + runtime.getLastError());
    }
  }

  /** One {@code struct sock_filter}: code, jt, jf, k. */
  private static void put(Pointer program, int index, short code, int jumpIfTrue, int k) {
    program.putShort(8L * index, code);
    program.putByte(8L * index + 2, (byte) jumpIfTrue);
    program.putByte(8L * index + 3, (byte) 0);
    program.putInt(8L * index + 4, k);
  }
}
