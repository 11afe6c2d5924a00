package io.kqueue4j.bsd.conformance;

import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An inherited conformance case that this OS answers differently, by design of the OS: the case is
 * reported as skipped with {@link #reason()}, and a test of the backend pins what happens instead.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Repeatable(Differs.List.class)
@ExtendWith(DiffersCondition.class)
public @interface Differs {
  /** The test method's name. */
  String test();

  /** Why, shown as the skip reason. */
  String reason();

  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE)
  @ExtendWith(DiffersCondition.class)
  @interface List {
    Differs[] value();
  }
}
