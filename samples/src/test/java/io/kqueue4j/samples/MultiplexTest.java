package io.kqueue4j.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.KQueue;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

@DisabledOnOs(value = OS.WINDOWS, disabledReason = "runs children with sh")
class MultiplexTest {

  @Test
  void reports_every_child_exit_timer_ticks_and_progress() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int worst;
    try (KQueue kq = KQueue.open(); PrintStream out = new PrintStream(bytes, true, "UTF-8")) {
      worst = new Multiplex(kq, out).run("sleep 0.4; exit 3", "exit 0", "sleep 0.3; kill -TERM $$");
    }
    String output = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(128 + 15, worst, output);
    assertTrue(output.contains("status 3"), output);
    assertTrue(output.contains("status 0"), output);
    assertTrue(output.contains("status 143"), output);
    assertTrue(output.contains("timer  "), "the 100 ms timer ticked during 0.4 s: " + output);
    assertTrue(output.contains("user   progress"), output);
    assertEquals(3, output.lines().filter(l -> l.startsWith("exit ")).count(), output);
  }

  @Test
  void decodes_wait_status() {
    assertEquals(3, Multiplex.exitStatus(3 << 8));
    assertEquals(128 + 9, Multiplex.exitStatus(9));
  }
}
