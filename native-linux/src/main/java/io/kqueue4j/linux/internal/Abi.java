package io.kqueue4j.linux.internal;

import jnr.ffi.Platform;

/**
 * The Linux ABI facts the bindings rely on: which CPUs use the asm-generic constants and whether
 * {@code struct epoll_event} is packed.
 *
 * <p>Every constant in this module ({@code O_CLOEXEC}, {@code FIONREAD}, {@code IN_NONBLOCK}, errno
 * numbers, ...) has the value of {@code asm-generic}, which x86_64, aarch64, riscv64 and
 * loongarch64 share. Other Linux CPUs (alpha, mips, parisc, powerpc, sparc) differ in some of them
 * and are refused rather than called with wrong numbers.
 */
public final class Abi {

  private Abi() {}

  /**
   * Returns null when this module's constants are those of the running OS and CPU, or the reason
   * they are not.
   */
  public static String unsupportedReason() {
    Platform platform = Platform.getNativePlatform();
    if (platform.getOS() != Platform.OS.LINUX) {
      return "not Linux: " + platform.getOS();
    }
    switch (platform.getCPU()) {
      case X86_64:
      case AARCH64:
      case RISCV64:
      case LOONGARCH64:
        return null;
      default:
        return "no Linux constants for CPU "
            + platform.getCPU()
            + " (supported: x86_64, aarch64, riscv64, loongarch64)";
    }
  }

  /**
   * {@code struct epoll_event} carries {@code __EPOLL_PACKED} on x86_64 only: 12 bytes there, 16
   * bytes (data aligned to 8) everywhere else.
   */
  public static boolean epollEventPacked() {
    return Platform.getNativePlatform().getCPU() == Platform.CPU.X86_64;
  }
}
