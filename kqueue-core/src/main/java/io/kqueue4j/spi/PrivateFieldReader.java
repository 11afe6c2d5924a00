package io.kqueue4j.spi;

import io.kqueue4j.spi.ChannelDescriptors.Mechanism;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

/**
 * Reads one private instance field of a JDK class without asking the user for JVM flags: by
 * reflection when the field's package is open to this code ({@code --add-opens}), else through
 * {@code sun.misc.Unsafe} (module {@code jdk.unsupported}), else not at all, with an exception that
 * names the flags that would allow it.
 *
 * <p>{@code sun.misc.Unsafe} is reached through method handles, not linked at compile time, so
 * nothing in this module refers to it statically. JDK 24+ prints a one-time warning on its first
 * use unless {@code --sun-misc-unsafe-memory-access=allow} is given, and refuses it under {@code
 * =deny}, in which case this falls through to the exception.
 */
abstract class PrivateFieldReader {

  private PrivateFieldReader() {}

  /** The first mechanism that works for {@code field}, trying reflection, then Unsafe. */
  static PrivateFieldReader of(Field field, String requiredFlags) {
    return of(field, requiredFlags, true);
  }

  /** As {@link #of(Field, String)}, with Unsafe optionally left out (for tests). */
  static PrivateFieldReader of(Field field, String requiredFlags, boolean allowUnsafe) {
    if (Modifier.isStatic(field.getModifiers())) {
      throw new IllegalArgumentException("static field: " + field);
    }
    RuntimeException denied;
    try {
      field.setAccessible(true);
      return new Reflective(field);
    } catch (RuntimeException e) { // InaccessibleObjectException, SecurityException
      denied = e;
    }
    if (allowUnsafe) {
      try {
        return new UnsafeBased(UnsafeHolder.objectFieldOffset(field));
      } catch (Throwable t) { // no jdk.unsupported, Unsafe refused (=deny), field of a hidden class
        denied.addSuppressed(t);
      }
    }
    throw new UnsupportedOperationException(
        "cannot read "
            + field.getDeclaringClass().getName()
            + "."
            + field.getName()
            + ": its package is not open to "
            + opener()
            + (allowUnsafe ? " and sun.misc.Unsafe is not usable" : "")
            + "; run the JVM with "
            + requiredFlags,
        denied);
  }

  /** What {@code --add-opens ...=TARGET} must name for this code: its module or ALL-UNNAMED. */
  static String opener() {
    Module module = PrivateFieldReader.class.getModule();
    return module.isNamed() ? module.getName() : "ALL-UNNAMED";
  }

  abstract Mechanism mechanism();

  /** The value of an {@code int} field of {@code target}. */
  abstract int getInt(Object target);

  /** The value of a reference field of {@code target}. */
  abstract Object getObject(Object target);

  private static final class Reflective extends PrivateFieldReader {
    private final Field field;

    Reflective(Field field) {
      this.field = field;
    }

    @Override
    Mechanism mechanism() {
      return Mechanism.REFLECTION;
    }

    @Override
    int getInt(Object target) {
      try {
        return field.getInt(target);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    Object getObject(Object target) {
      try {
        return field.get(target);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static final class UnsafeBased extends PrivateFieldReader {
    private final long offset;

    UnsafeBased(long offset) {
      this.offset = offset;
    }

    @Override
    Mechanism mechanism() {
      return Mechanism.UNSAFE;
    }

    @Override
    int getInt(Object target) {
      try {
        return (int) UnsafeHolder.GET_INT.invokeExact(target, offset);
      } catch (Throwable t) {
        throw rethrow(t);
      }
    }

    @Override
    Object getObject(Object target) {
      try {
        return (Object) UnsafeHolder.GET_OBJECT.invokeExact(target, offset);
      } catch (Throwable t) {
        throw rethrow(t);
      }
    }

    private static RuntimeException rethrow(Throwable t) {
      if (t instanceof RuntimeException) {
        throw (RuntimeException) t;
      }
      if (t instanceof Error) {
        throw (Error) t;
      }
      return new IllegalStateException(t);
    }
  }

  /** {@code sun.misc.Unsafe.theUnsafe}'s methods, bound when first needed. */
  private static final class UnsafeHolder {
    static final MethodHandle OBJECT_FIELD_OFFSET;
    static final MethodHandle GET_INT;
    static final MethodHandle GET_OBJECT;

    static {
      try {
        Class<?> type = Class.forName("sun.misc.Unsafe");
        Field theUnsafe = type.getDeclaredField("theUnsafe");
        theUnsafe.setAccessible(true);
        Object unsafe = theUnsafe.get(null);
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        OBJECT_FIELD_OFFSET =
            lookup
                .findVirtual(
                    type, "objectFieldOffset", MethodType.methodType(long.class, Field.class))
                .bindTo(unsafe);
        GET_INT =
            lookup
                .findVirtual(
                    type, "getInt", MethodType.methodType(int.class, Object.class, long.class))
                .bindTo(unsafe);
        GET_OBJECT =
            lookup
                .findVirtual(
                    type,
                    "getObject",
                    MethodType.methodType(Object.class, Object.class, long.class))
                .bindTo(unsafe);
      } catch (ReflectiveOperationException | RuntimeException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    static long objectFieldOffset(Field field) throws Throwable {
      return (long) OBJECT_FIELD_OFFSET.invokeExact(field);
    }
  }
}
