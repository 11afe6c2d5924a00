package io.kqueue4j.samples.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config file's syntax, its defaults, and the line each error names. */
class ConfigFileTest {
  @TempDir Path tmp;

  @Test
  void linesBecomeProgramsInOrderWithDefaultsAndKeys() throws Exception {
    Map<String, ProgramSpec> programs = ConfigFile.parse("""
        # comment

        web: python3 -m http.server 8080
          worker backoff=250ms max-backoff=1m stable=0 : sh -c 'exec ./w # not a comment'\r
        """, "test.conf");
    assertEquals(List.of("web", "worker"), List.copyOf(programs.keySet()));
    ProgramSpec web = programs.get("web");
    assertEquals(List.of("python3", "-m", "http.server", "8080"), web.command());
    assertEquals(ProgramSpec.DEFAULT_BACKOFF, web.backoff());
    assertEquals(ProgramSpec.DEFAULT_MAX_BACKOFF, web.maxBackoff());
    assertEquals(ProgramSpec.DEFAULT_STABLE, web.stable());
    ProgramSpec worker = programs.get("worker");
    assertEquals(List.of("sh", "-c", "exec ./w # not a comment"), worker.command());
    assertEquals(Duration.ofMillis(250), worker.backoff());
    assertEquals(Duration.ofMinutes(1), worker.maxBackoff());
    assertEquals(Duration.ZERO, worker.stable());
  }

  @Test
  void quotesAndEscapesMakeWordsAndDisplayRoundTrips() throws Exception {
    List<String> words =
        ConfigFile.words(" a 'b c' \"d \\\"e\\\" \\\\ \\n\" f\\ g 'it'\\''s' x:y ''");
    assertEquals(List.of("a", "b c", "d \"e\" \\ \\n", "f g", "it's", "x:y", ""), words);
    ProgramSpec spec = new ProgramSpec("p", words, Duration.ofSeconds(1), Duration.ofSeconds(1),
        Duration.ZERO);
    assertEquals(words, ConfigFile.words(spec.display()));
    assertEquals("a 'b c' 'd \"e\" \\ \\n' 'f g' 'it'\\''s' x:y ''", spec.display());
  }

  @Test
  void eachErrorNamesItsLine() {
    assertError(2, "expected 'NAME [KEY=VALUE...]: COMMAND [ARG...]'", "a: x\nno colon here\n");
    assertError(1, "no program name before ':'", ": sleep 1");
    assertError(1, "'a/b' is not a valid program name (letters, digits, '.', '_', '-')",
        "a/b: sleep 1");
    assertError(3, "program 'a' is already defined on line 1", "a: x\n\na: y");
    assertError(1, "unknown key 'retries' (known: backoff, max-backoff, stable)",
        "a retries=3: x");
    assertError(1, "expected KEY=VALUE before ':', found 'fast'", "a fast: x");
    assertError(1, "backoff: invalid duration '5': use a number and a unit (ms, s, m, h),"
        + " e.g. 500ms, 2s", "a backoff=5: x");
    assertError(1, "backoff must be longer than 0", "a backoff=0: x");
    assertError(1, "max-backoff 1 s is shorter than backoff 2 s", "a backoff=2s max-backoff=1s: x");
    assertError(1, "no command for program 'a'", "a:   ");
    assertError(4, "unterminated ' quote", "\n\n\na: sh -c 'exit 1");
    assertError(1, "unterminated \" quote", "a: echo \"x");
    assertError(1, "'\\' at the end of the line", "a: echo x\\");
  }

  @Test
  void readReportsAMissingFileADirectoryAndNonUtf8() throws Exception {
    Path missing = tmp.resolve("missing.conf");
    assertEquals(missing + ": no such file",
        assertThrows(ConfigException.class, () -> ConfigFile.read(missing)).getMessage());
    assertEquals(tmp + ": is a directory",
        assertThrows(ConfigException.class, () -> ConfigFile.read(tmp)).getMessage());
    Path binary = Files.write(tmp.resolve("bin.conf"), new byte[] {'a', ':', ' ', (byte) 0xff});
    assertEquals(binary + ": not UTF-8 text",
        assertThrows(ConfigException.class, () -> ConfigFile.read(binary)).getMessage());
    Path good = Files.writeString(tmp.resolve("good.conf"), "a: sleep 1\n");
    assertEquals(List.of("sleep", "1"), ConfigFile.read(good).get("a").command());
  }

  @Test
  void samplesConfigIsValid() throws Exception {
    Path sample = Path.of("supervisor.conf"); // surefire runs in the module's directory
    assertEquals(List.of("ticker", "flaky", "stubborn"),
        List.copyOf(ConfigFile.read(sample).keySet()));
  }

  private static void assertError(int line, String problem, String text) {
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigFile.parse(text, "f.conf"));
    assertEquals("f.conf:" + line + ": " + problem, e.getMessage());
    assertEquals(line, e.line());
  }
}
