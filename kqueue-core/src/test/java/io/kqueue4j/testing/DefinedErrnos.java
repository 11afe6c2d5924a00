package io.kqueue4j.testing;

import io.kqueue4j.Errno;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.Set;

/** The errno values {@link Errno} defines, for fuzz tests that check every error against them. */
public final class DefinedErrnos {
  private DefinedErrnos() {}

  /**
   * Every {@code static int} constant of {@link Errno}.
   *
   * @return the defined errno values
   */
  public static Set<Integer> all() {
    Set<Integer> all = new HashSet<>();
    for (Field f : Errno.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
        try {
          all.add(f.getInt(null));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return all;
  }
}
