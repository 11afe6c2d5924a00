package io.kqueue4j.filters.proc;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The exit values the JDK keeps for the children it reaps: {@code java.lang.ProcessHandleImpl}'s
 * private map from pid to the future its reaper thread completes with the exit value, then
 * removes. The JDK reaps a child it started within microseconds of its exit, before any other
 * thread can read the status from the kernel, so for those children this map is where the status
 * is; taking the future when the knote is registered keeps it after the JDK removes it.
 *
 * <p>The map is reached by reflection when {@code java.lang} is open to this code ({@code
 * --add-opens java.base/java.lang=ALL-UNNAMED}), else through {@code sun.misc.Unsafe} (module
 * {@code jdk.unsupported}, called reflectively; JDK 24+ may print a warning once), else not at
 * all, in which case children started through {@link ProcessBuilder} exit with status unknown.
 * {@link #mechanism()} says which.
 */
final class JdkExitValues {
  private static final Map<?, ?> COMPLETIONS;
  private static final String MECHANISM;

  static {
    Map<?, ?> map = null;
    String mechanism;
    try {
      Field field = Class.forName("java.lang.ProcessHandleImpl").getDeclaredField("completions");
      try {
        field.setAccessible(true);
        map = (Map<?, ?>) field.get(null);
        mechanism = "reflection";
      } catch (RuntimeException denied) { // InaccessibleObjectException
        map = (Map<?, ?>) readStaticWithUnsafe(field);
        mechanism = "sun.misc.Unsafe";
      }
    } catch (Throwable e) { // ReflectiveOperationException, LinkageError, ClassCastException
      mechanism = "unavailable: " + e;
    }
    COMPLETIONS = map;
    MECHANISM = mechanism;
  }

  private JdkExitValues() {}

  /** How the JDK's exit values are read: {@code reflection}, {@code sun.misc.Unsafe}, or why not. */
  static String mechanism() {
    return MECHANISM;
  }

  /**
   * The JDK's future of the exit value of {@code pid}, or null when the JDK does not wait for it
   * (or cannot be asked). Call it while the process has not been reaped.
   */
  @SuppressWarnings("unchecked")
  static CompletableFuture<Integer> of(long pid) {
    if (COMPLETIONS == null) {
      return null;
    }
    Object completion = COMPLETIONS.get(pid);
    return completion instanceof CompletableFuture ? (CompletableFuture<Integer>) completion : null;
  }

  private static Object readStaticWithUnsafe(Field field) throws ReflectiveOperationException {
    Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
    Field instance = unsafeClass.getDeclaredField("theUnsafe");
    instance.setAccessible(true);
    Object unsafe = instance.get(null);
    Method base = unsafeClass.getMethod("staticFieldBase", Field.class);
    Method offset = unsafeClass.getMethod("staticFieldOffset", Field.class);
    Method get = unsafeClass.getMethod("getObjectVolatile", Object.class, long.class);
    return get.invoke(unsafe, base.invoke(unsafe, field), offset.invoke(unsafe, field));
  }
}
