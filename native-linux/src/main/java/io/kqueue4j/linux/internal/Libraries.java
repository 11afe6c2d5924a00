package io.kqueue4j.linux.internal;

/**
 * The bound interfaces, each loaded when first used. A holder class per interface keeps a class
 * that needs only epoll from binding inotify, and keeps every public class loadable on an OS that
 * has none of these calls.
 */
public final class Libraries {

  private Libraries() {}

  public static NativeLibrary<LibCFunctions> libc() {
    return LibCHolder.LIBRARY;
  }

  public static NativeLibrary<EpollFunctions> epoll() {
    return EpollHolder.LIBRARY;
  }

  public static NativeLibrary<EventFdFunctions> eventFd() {
    return EventFdHolder.LIBRARY;
  }

  public static NativeLibrary<InotifyFunctions> inotify() {
    return InotifyHolder.LIBRARY;
  }

  public static NativeLibrary<StatxFunctions> statx() {
    return StatxHolder.LIBRARY;
  }

  private static final class LibCHolder {
    static final NativeLibrary<LibCFunctions> LIBRARY = NativeLibrary.load(LibCFunctions.class);
  }

  private static final class EpollHolder {
    static final NativeLibrary<EpollFunctions> LIBRARY = NativeLibrary.load(EpollFunctions.class);
  }

  private static final class EventFdHolder {
    static final NativeLibrary<EventFdFunctions> LIBRARY =
        NativeLibrary.load(EventFdFunctions.class);
  }

  private static final class InotifyHolder {
    static final NativeLibrary<InotifyFunctions> LIBRARY =
        NativeLibrary.load(InotifyFunctions.class);
  }

  private static final class StatxHolder {
    static final NativeLibrary<StatxFunctions> LIBRARY = NativeLibrary.load(StatxFunctions.class);
  }
}
