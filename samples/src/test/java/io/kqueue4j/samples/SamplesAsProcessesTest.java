package io.kqueue4j.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.samples.echo.EchoServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Multiplex and echo-server samples started as their own JVMs, the way a user runs them, and
 * checked against real process and socket activity.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "runs children with sh")
class SamplesAsProcessesTest {
  @TempDir Path tmp;
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopAll() {
    for (Process p : started) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  private Process start(Class<?> main, Path stdout, String... args) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(SampleJvm.command(main, args)).redirectErrorStream(true);
    if (stdout != null) {
      pb.redirectOutput(stdout.toFile());
    }
    Process p = pb.start();
    started.add(p);
    return p;
  }

  @Test
  void multiplex_reports_each_child_and_exits_with_the_worst_status() throws Exception {
    Path marker = tmp.resolve("written-by-a-child");
    Path out = tmp.resolve("out");
    Process p = start(Multiplex.class, out, "sleep 0.3; exit 4",
        "echo child > '" + marker + "'", "kill -KILL $$");
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "Multiplex did not finish");
    String output = Files.readString(out, StandardCharsets.UTF_8);
    assertEquals(128 + 9, p.exitValue(), output);
    assertEquals("child", Files.readString(marker).strip(), "the second child ran");
    assertEquals(3, output.lines().filter(l -> l.startsWith("exit ")).count(), output);
    assertTrue(output.lines().anyMatch(l -> l.contains("status 4") && l.contains("exit 4")), output);
    assertTrue(output.lines().anyMatch(l -> l.contains("status 137")), output);
    assertTrue(output.contains("user   progress "), "the worker reported through EVFILT_USER: " + output);
  }

  /** The README's main command runs this script; it must keep showing what the README says. */
  @Test
  void readme_demo_shows_each_change_and_ends_on_sigterm() throws Exception {
    String cp = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    Path out = tmp.resolve("demo-out");
    Process p = new ProcessBuilder("sh", Path.of("kqwatch-demo.sh").toAbsolutePath().toString(), cp)
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    started.add(p);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the demo did not finish");
    String output = Files.readString(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), output);
    assertTrue(output.lines().anyMatch(l -> l.startsWith("CREATE_DIR ") && l.endsWith("/src/main/java [dir]")), output);
    assertTrue(output.lines().anyMatch(l -> l.startsWith("RENAME ")
        && l.contains("/src/main/java/A.java -> ") && l.endsWith("/src/main/java/B.java")), output);
    assertTrue(output.lines().anyMatch(l -> l.startsWith("DELETE ") && l.endsWith("/src [dir]")), output);
    assertTrue(output.contains("exited with status 0"), output);
  }

  @Test
  void echo_server_echoes_for_clients_of_another_process() throws Exception {
    Process p = start(EchoServer.class, null, "0");
    BufferedReader lines = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String banner = lines.readLine();
    Matcher m = Pattern.compile("echo server on port (\\d+)").matcher(String.valueOf(banner));
    assertTrue(m.find(), "banner: " + banner);
    int port = Integer.parseInt(m.group(1));
    for (int client = 0; client < 3; client++) {
      try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
        byte[] sent = ("hello " + client + " ").repeat(10_000).getBytes(StandardCharsets.UTF_8);
        ByteBuffer back = ByteBuffer.allocate(sent.length);
        for (int off = 0; off < sent.length; off += 4096) {
          int len = Math.min(4096, sent.length - off);
          c.write(ByteBuffer.wrap(sent, off, len)); // a chunk, then wait for all of its echo
          while (back.position() < off + len) {
            if (c.read(back) < 0) {
              throw new IOException("the server closed the connection");
            }
          }
        }
        assertEquals(new String(sent, StandardCharsets.UTF_8),
            new String(back.array(), StandardCharsets.UTF_8));
      }
    }
    p.destroy(); // SIGTERM: the JVM exits on it
    assertTrue(p.waitFor(15, TimeUnit.SECONDS), "the echo server ignored SIGTERM");
  }
}
