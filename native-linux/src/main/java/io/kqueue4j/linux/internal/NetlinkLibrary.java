package io.kqueue4j.linux.internal;

/**
 * {@link NetlinkFunctions} bound when first used, in the manner of {@link Libraries}: a class that
 * never opens a netlink socket never binds these calls.
 */
public final class NetlinkLibrary {

  private NetlinkLibrary() {}

  /** The binding, or the reason it failed ({@link NativeLibrary#cause()}). */
  public static NativeLibrary<NetlinkFunctions> get() {
    return Holder.LIBRARY;
  }

  private static final class Holder {
    static final NativeLibrary<NetlinkFunctions> LIBRARY =
        NativeLibrary.load(NetlinkFunctions.class);
  }
}
