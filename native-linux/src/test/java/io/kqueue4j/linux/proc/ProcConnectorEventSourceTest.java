package io.kqueue4j.linux.proc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.proc.ProcFilter;
import io.kqueue4j.filters.proc.WaitStatus;
import io.kqueue4j.filters.spi.ProcessEventSource.ProcessEventListener;
import io.kqueue4j.filters.spi.ProcessEventSource.Subscription;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The process-event connector on real processes: it is the source {@code EVFILT_PROC} uses for
 * forks and execs here, it reports process forks (not threads), execs and exits, and it runs only
 * while subscribed. Skipped, with the kernel's reason, where the connector refuses this process.
 */
@EnabledOnOs(OS.LINUX)
class ProcConnectorEventSourceTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final ProcConnectorEventSource source = new ProcConnectorEventSource();
  private final Queue<String> seen = new ConcurrentLinkedQueue<>();

  private final ProcessEventListener recorder = new ProcessEventListener() {
    @Override
    public void forked(long parent, long child) {
      seen.add("fork " + parent + " " + child);
    }

    @Override
    public void executed(long pid) {
      seen.add("exec " + pid);
    }

    @Override
    public void exited(long pid, int waitStatus) {
      seen.add("exit " + pid + " " + waitStatus);
    }

    @Override
    public void lost() {
      seen.add("lost");
    }
  };

  @BeforeEach
  void requireTheConnector() {
    Assumptions.assumeTrue(source.isAvailable(),
        () -> "no process-event connector here: " + source.unavailabilityCause());
  }

  private Subscription subscribe() {
    try {
      return source.subscribe(recorder);
    } catch (KQueueException e) {
      Assumptions.abort("the process-event connector refuses this process: " + e.getMessage());
      throw new AssertionError(e);
    }
  }

  @Test
  void isTheEventSourceOfEvfiltProc() {
    assertEquals(ProcConnectorEventSource.NAME, ProcFilter.defaultEventSource().name(),
        ProcFilter.describeSource());
  }

  @Test
  void reportsForkExecAndExitOfRealProcesses() throws Exception {
    Subscription subscription = subscribe();
    try {
      Process shell = new ProcessBuilder("/bin/sh", "-c", "sleep 0.2 & wait; exit 3").start();
      long sh = shell.pid();
      assertEquals(3, shell.waitFor());
      await().atMost(WAIT).until(() -> seen.contains("exit " + sh + " " + WaitStatus.ofExit(3)));
      List<String> events = List.copyOf(seen);
      String fork = events.stream().filter(e -> e.startsWith("fork " + sh + " ")).findFirst()
          .orElseThrow(() -> new AssertionError("no fork of " + sh + " in " + events));
      long child = Long.parseLong(fork.substring(fork.lastIndexOf(' ') + 1));
      assertTrue(events.contains("exec " + child), events.toString());
      assertTrue(events.contains("exit " + child + " 0"), events.toString());
      assertTrue(events.indexOf(fork) < events.indexOf("exit " + child + " 0"), events.toString());
      assertFalse(events.contains("lost"), events.toString());
    } finally {
      subscription.cancel();
    }
  }

  @Test
  void threadsAreNeitherForksNorExits() throws Exception {
    Subscription subscription = subscribe();
    try {
      long self = ProcessHandle.current().pid();
      Thread thread = new Thread(() -> { });
      thread.start();
      thread.join();
      Process marker = new ProcessBuilder("/bin/true").start(); // ordered after the thread
      marker.waitFor();
      await().atMost(WAIT).until(() -> seen.contains("exit " + marker.pid() + " 0"));
      List<String> ours = seen.stream()
          .filter(e -> e.startsWith("fork " + self + " ") || e.startsWith("exit " + self + " "))
          .toList(); // the thread's creation and end are not among them
      assertEquals(List.of("fork " + self + " " + marker.pid()), ours);
    } finally {
      subscription.cancel();
    }
  }

  @Test
  void runsOnlyWhileSubscribed() {
    assertFalse(source.isRunning());
    Subscription first = subscribe();
    Subscription second = subscribe();
    assertTrue(source.isRunning());
    first.cancel();
    first.cancel(); // idempotent: does not take the second's place
    assertTrue(source.isRunning());
    second.cancel();
    assertFalse(source.isRunning());
    Subscription again = subscribe(); // a new socket and thread
    assertTrue(source.isRunning());
    again.cancel();
    assertFalse(source.isRunning());
  }
}
