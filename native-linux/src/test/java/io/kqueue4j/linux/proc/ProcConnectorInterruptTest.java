package io.kqueue4j.linux.proc;

import static io.kqueue4j.KEvent.EVFILT_PROC;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.NOTE_EXEC;
import static io.kqueue4j.KEvent.NOTE_FORK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.proc.ProcFilter;
import io.kqueue4j.filters.spi.ProcessEventSource.ProcessEventListener;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * An interrupt during the registration that starts the process-event connector: the registration
 * waits for the kernel's answer all the same and succeeds, the interrupt status is kept, and the
 * JVM's connector source stays usable for later registrations. Skipped, with the kernel's reason,
 * where the connector refuses this process.
 */
@EnabledOnOs(OS.LINUX)
class ProcConnectorInterruptTest {
  /** A hang guard only: how long an event that must come may take on a loaded machine. */
  private static final Duration WAIT = Duration.ofSeconds(30);

  private ProcConnectorEventSource source;
  /** Forks {@code /bin/true} for each line read on its standard input, until it reads "end". */
  private Process child;

  @BeforeEach
  void requireTheConnector() throws IOException {
    source = assertInstanceOf(ProcConnectorEventSource.class, ProcFilter.defaultEventSource(),
        ProcFilter.describeSource());
    Assumptions.assumeTrue(source.isAvailable(),
        () -> "no process-event connector here: " + source.unavailabilityCause());
    ProcConnectorEventSource probe = new ProcConnectorEventSource(); // leaves the JVM's alone
    try {
      probe.subscribe(new Silent()).cancel();
    } catch (KQueueException e) {
      Assumptions.abort("the process-event connector refuses this process: " + e.getMessage());
    }
    child = new ProcessBuilder("/bin/sh", "-c",
        "while read line && [ \"$line\" != end ]; do /bin/true; done").start();
  }

  @AfterEach
  void endChild() throws Exception {
    if (child != null) {
      child.destroyForcibly().waitFor();
    }
  }

  @Test
  void interruptedRegistrationSucceedsKeepsTheStatusAndLaterOnesSeeForks() throws Exception {
    assertFalse(source.isRunning(), "the registration below must start the connector");
    boolean stillInterrupted;
    try (KQueue kq = KQueue.emulated()) {
      Thread.currentThread().interrupt();
      try {
        add(kq, child.pid());
      } finally {
        stillInterrupted = Thread.interrupted();
      }
      assertTrue(source.isRunning(), "the interrupted registration started the connector");
    }
    assertTrue(stillInterrupted, "the interrupt status is kept");
    assertFalse(source.isRunning(), "closing the kqueue stopped the connector");

    try (KQueue kq = KQueue.emulated()) {
      add(kq, child.pid()); // starts the connector again, from a thread not interrupted
      forkOnce();
      KEvent[] out = new KEvent[1];
      assertEquals(1, kq.kevent(null, out, WAIT), "one event within " + WAIT);
      assertEquals(child.pid(), out[0].ident());
      assertEquals(NOTE_FORK, out[0].fflags(), out[0].toString());
    }
  }

  private static void add(KQueue kq, long pid) throws KQueueException {
    kq.kevent(new KEvent[] {KEvent.of(pid, EVFILT_PROC, EV_ADD, NOTE_FORK | NOTE_EXEC, 0, null)},
        null, Duration.ZERO);
  }

  private void forkOnce() throws IOException {
    OutputStream in = child.getOutputStream();
    in.write("go\n".getBytes(StandardCharsets.US_ASCII));
    in.flush();
  }

  /** A subscriber that ignores every event. */
  private static final class Silent implements ProcessEventListener {
    @Override
    public void forked(long parent, long child) {}

    @Override
    public void executed(long pid) {}

    @Override
    public void exited(long pid, int waitStatus) {}

    @Override
    public void lost() {}
  }
}
