package io.kqueue4j.filters.vnode;

import static io.kqueue4j.KEvent.EVFILT_VNODE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_ERROR;
import static io.kqueue4j.KEvent.EV_RECEIPT;
import static io.kqueue4j.KEvent.NOTE_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.descriptor.SelectorDescriptors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without a native module (this module's own test class path) descriptors are tokens for JDK
 * channels, which the stat-polling fallback cannot {@code stat}: registration fails with {@code
 * EOPNOTSUPP} saying why, not with a misleading {@code EBADF} for a descriptor that is open.
 */
class VnodeWithoutOsDescriptorsTest {
  @TempDir Path dir;

  @Test
  void registrationFailsWithEopnotsuppNamingTheDescriptorSupport() throws Exception {
    assertEquals(SelectorDescriptors.NAME, FileDescriptors.support(), "the premise of this test");
    int fd = FileDescriptors.open(Files.writeString(dir.resolve("f"), "x"));
    try (KQueue kq = KQueue.emulated()) {
      KEvent[] out = new KEvent[1];
      assertEquals(1, kq.kevent(new KEvent[] {KEvent.of(fd, EVFILT_VNODE,
          EV_ADD | EV_CLEAR | EV_RECEIPT, NOTE_WRITE, 0, null)}, out, Duration.ZERO));
      assertTrue((out[0].flags() & EV_ERROR) != 0, out[0].toString());
      assertEquals(Errno.EOPNOTSUPP, out[0].data(), out[0].toString());

      KQueueException e = assertThrows(KQueueException.class, () -> kq.kevent(new KEvent[] {
          KEvent.of(fd, EVFILT_VNODE, EV_ADD, NOTE_WRITE, 0, null)}, null, Duration.ZERO));
      assertEquals(Errno.EOPNOTSUPP, e.errno());
      assertTrue(e.getMessage().contains(PollingVnodeSource.NAME + " needs OS descriptors"),
          e.getMessage());
      assertTrue(e.getMessage().contains(SelectorDescriptors.NAME), e.getMessage());
      assertEquals("none", VnodeSources.activeName());
      assertFalse(VnodeSources.isFallback());
    } finally {
      FileDescriptors.close(fd);
    }
  }
}
