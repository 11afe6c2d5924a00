package io.kqueue4j.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.kqueue4j.spi.ChannelDescriptors.Mechanism;
import java.io.FileDescriptor;
import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;

class PrivateFieldReaderTest {

  @SuppressWarnings({"FieldMayBeFinal", "unused"})
  private static final class Holder {
    private int number = 42;
    private Object ref = "ref";
    private static int shared;
  }

  private static boolean javaIoIsOpen() {
    return Object.class.getModule().isOpen("java.io", PrivateFieldReader.class.getModule());
  }

  @Test
  void readsAnAccessibleFieldByReflection() throws Exception {
    Holder holder = new Holder();
    PrivateFieldReader ints =
        PrivateFieldReader.of(Holder.class.getDeclaredField("number"), "flags");
    PrivateFieldReader refs = PrivateFieldReader.of(Holder.class.getDeclaredField("ref"), "flags");
    assertEquals(Mechanism.REFLECTION, ints.mechanism());
    assertEquals(42, ints.getInt(holder));
    assertSame(holder.ref, refs.getObject(holder));
  }

  @Test
  void readsAClosedJdkFieldThroughUnsafe() throws Exception {
    assumeFalse(javaIoIsOpen(), "java.io is opened to this code: reflection would be used");
    PrivateFieldReader reader =
        PrivateFieldReader.of(FileDescriptor.class.getDeclaredField("fd"), "flags");
    assertEquals(Mechanism.UNSAFE, reader.mechanism());
    assertEquals(2, reader.getInt(FileDescriptor.err));
  }

  @Test
  void withoutReflectionOrUnsafeTheMessageNamesTheFlags() throws Exception {
    assumeFalse(javaIoIsOpen(), "java.io is opened to this code: reflection would succeed");
    Field fd = FileDescriptor.class.getDeclaredField("fd");
    UnsupportedOperationException e =
        assertThrows(
            UnsupportedOperationException.class,
            () -> PrivateFieldReader.of(fd, ChannelDescriptors.REQUIRED_FLAGS, false));
    assertEquals(
        "cannot read java.io.FileDescriptor.fd: its package is not open to ALL-UNNAMED; "
            + "run the JVM with --add-opens java.base/java.io=ALL-UNNAMED "
            + "--add-opens java.base/sun.nio.ch=ALL-UNNAMED",
        e.getMessage());
    assertTrue(e.getCause() instanceof RuntimeException);
  }

  @Test
  void staticFieldsAreRefused() throws Exception {
    Field shared = Holder.class.getDeclaredField("shared");
    assertThrows(IllegalArgumentException.class, () -> PrivateFieldReader.of(shared, "flags"));
  }
}
