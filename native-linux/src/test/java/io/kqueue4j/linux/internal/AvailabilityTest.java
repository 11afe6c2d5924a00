package io.kqueue4j.linux.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.LinuxErrno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

@EnabledOnOs(OS.LINUX)
class AvailabilityTest {

  /** A function no C library has: binding succeeds, the first call fails. */
  public interface Missing {
    int kqueue4j_no_such_function(int x);
  }

  @Test
  void aSymbolTheLibraryLacksMakesTheFacilityUnavailable() {
    NativeLibrary<Missing> library = NativeLibrary.load(Missing.class);
    assertNull(library.cause());
    Availability result =
        Availability.probe(
            "missing", library, () -> library.functions().kqueue4j_no_such_function(1));
    assertFalse(result.isAvailable());
    assertInstanceOf(UnsatisfiedLinkError.class, result.cause());
    UnsupportedOperationException e =
        assertThrows(UnsupportedOperationException.class, result::require);
    assertSame(result.cause(), e.getCause());
    assertTrue(e.getMessage().startsWith("missing is not available here: "), e.getMessage());
  }

  @Test
  void resourceShortageStillProvesTheCallExists() {
    NativeLibrary<Missing> library = NativeLibrary.load(Missing.class);
    for (int errno : new int[] {LinuxErrno.EMFILE, LinuxErrno.ENFILE, LinuxErrno.ENOMEM}) {
      Availability result =
          Availability.probe(
              "x",
              library,
              () -> {
                throw new ErrnoException("x", errno);
              });
      assertTrue(result.isAvailable(), LinuxErrno.name(errno));
      result.require();
    }
  }

  @Test
  void enosysEinvalAndEpermMeanUnavailable() {
    NativeLibrary<Missing> library = NativeLibrary.load(Missing.class);
    for (int errno : new int[] {LinuxErrno.ENOSYS, LinuxErrno.EINVAL, LinuxErrno.EPERM}) {
      Availability result =
          Availability.probe(
              "x",
              library,
              () -> {
                throw new ErrnoException("x", errno);
              });
      assertFalse(result.isAvailable(), LinuxErrno.name(errno));
      assertEquals(errno, ((ErrnoException) result.cause()).errno());
    }
  }
}
