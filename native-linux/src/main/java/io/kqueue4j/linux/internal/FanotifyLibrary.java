package io.kqueue4j.linux.internal;

/** {@link FanotifyFunctions} bound on first use, apart from {@link Libraries}' interfaces. */
public final class FanotifyLibrary {

  private FanotifyLibrary() {}

  public static NativeLibrary<FanotifyFunctions> get() {
    return Holder.LIBRARY;
  }

  private static final class Holder {
    static final NativeLibrary<FanotifyFunctions> LIBRARY =
        NativeLibrary.load(FanotifyFunctions.class);
  }
}
