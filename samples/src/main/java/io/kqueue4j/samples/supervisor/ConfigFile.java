package io.kqueue4j.samples.supervisor;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The config file: one program per line.
 *
 * <pre>
 * # NAME [KEY=VALUE...]: COMMAND [ARG...]
 * web: python3 -m http.server 8080
 * worker backoff=500ms max-backoff=1m stable=30s: sh -c 'exec ./worker &gt;&gt; worker.log 2&gt;&amp;1'
 * </pre>
 *
 * <ul>
 *   <li>Blank lines and lines starting with {@code #} are skipped; a {@code #} elsewhere is text.
 *   <li>NAME: letters, digits, {@code .}, {@code _}, {@code -}; unique in the file.
 *   <li>Keys (durations such as {@code 250ms}, {@code 2s}, {@code 1m}): {@code backoff} (default
 *       1s), the delay before a restart; {@code max-backoff} (default 30s), the cap of that delay,
 *       which doubles with each exit that came sooner than {@code stable} (default 10s) after the
 *       start, and goes back to {@code backoff} after a run that lasted that long.
 *   <li>COMMAND runs without a shell: words are split at white space, {@code '...'} is literal,
 *       {@code "..."} takes {@code \"} and {@code \\}, a {@code \} outside quotes escapes the next
 *       character. For pipes, redirections or variables, use {@code sh -c '...'}.
 * </ul>
 */
final class ConfigFile {
  static final String SYNTAX = "NAME [KEY=VALUE...]: COMMAND [ARG...]";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");

  private ConfigFile() {}

  /** Reads and parses {@code path}: the programs by name, in the file's order. */
  static Map<String, ProgramSpec> read(Path path) throws ConfigException {
    String source = path.toString();
    if (Files.isDirectory(path)) {
      throw new ConfigException(source, 0, "is a directory");
    }
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(source, 0, "no such file");
    } catch (AccessDeniedException e) {
      throw new ConfigException(source, 0, "permission denied");
    } catch (MalformedInputException e) {
      throw new ConfigException(source, 0, "not UTF-8 text");
    } catch (IOException e) {
      throw new ConfigException(source, 0, "cannot read: " + e);
    }
    return parse(text, source);
  }

  /** Parses {@code text}; {@code source} names it in messages. */
  static Map<String, ProgramSpec> parse(String text, String source) throws ConfigException {
    Map<String, ProgramSpec> programs = new LinkedHashMap<>();
    Map<String, Integer> lineOf = new HashMap<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int number = i + 1;
      try {
        ProgramSpec spec = parseLine(line);
        Integer first = lineOf.putIfAbsent(spec.name(), number);
        if (first != null) {
          throw new IllegalArgumentException(
              "program '" + spec.name() + "' is already defined on line " + first);
        }
        programs.put(spec.name(), spec);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(source, number, e.getMessage());
      }
    }
    return programs;
  }

  private static ProgramSpec parseLine(String line) {
    int colon = line.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("expected '" + SYNTAX + "'");
    }
    String[] head = line.substring(0, colon).strip().split("\\s+");
    String name = head[0];
    if (name.isEmpty()) {
      throw new IllegalArgumentException("no program name before ':'");
    }
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("'" + name
          + "' is not a valid program name (letters, digits, '.', '_', '-')");
    }
    Duration backoff = ProgramSpec.DEFAULT_BACKOFF;
    Duration maxBackoff = ProgramSpec.DEFAULT_MAX_BACKOFF;
    Duration stable = ProgramSpec.DEFAULT_STABLE;
    for (int k = 1; k < head.length; k++) {
      int eq = head[k].indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("expected KEY=VALUE before ':', found '" + head[k] + "'");
      }
      String key = head[k].substring(0, eq);
      String value = head[k].substring(eq + 1);
      switch (key) {
        case "backoff" -> backoff = positive(key, duration(key, value));
        case "max-backoff" -> maxBackoff = positive(key, duration(key, value));
        case "stable" -> stable = duration(key, value);
        default -> throw new IllegalArgumentException(
            "unknown key '" + key + "' (known: backoff, max-backoff, stable)");
      }
    }
    if (maxBackoff.compareTo(backoff) < 0) {
      throw new IllegalArgumentException("max-backoff " + Durations.format(maxBackoff)
          + " is shorter than backoff " + Durations.format(backoff));
    }
    List<String> command = words(line.substring(colon + 1));
    if (command.isEmpty()) {
      throw new IllegalArgumentException("no command for program '" + name + "'");
    }
    return new ProgramSpec(name, command, backoff, maxBackoff, stable);
  }

  private static Duration duration(String key, String value) {
    try {
      return Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  private static Duration positive(String key, Duration value) {
    if (value.isZero()) {
      throw new IllegalArgumentException(key + " must be longer than 0");
    }
    return value;
  }

  /** Splits a command into words as the class comment says. */
  static List<String> words(String s) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
        continue;
      }
      if (word == null) {
        word = new StringBuilder();
      }
      if (c == '\'') {
        int end = s.indexOf('\'', i + 1);
        if (end < 0) {
          throw new IllegalArgumentException("unterminated ' quote");
        }
        word.append(s, i + 1, end);
        i = end;
      } else if (c == '"') {
        i = doubleQuoted(s, i + 1, word);
      } else if (c == '\\') {
        if (++i == n) {
          throw new IllegalArgumentException("'\\' at the end of the line");
        }
        word.append(s.charAt(i));
      } else {
        word.append(c);
      }
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }

  /** Appends the text from {@code from} to the closing quote; returns the quote's index. */
  private static int doubleQuoted(String s, int from, StringBuilder word) {
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"') {
        return i;
      }
      if (c == '\\' && i + 1 < s.length() && (s.charAt(i + 1) == '"' || s.charAt(i + 1) == '\\')) {
        c = s.charAt(++i);
      }
      word.append(c);
    }
    throw new IllegalArgumentException("unterminated \" quote");
  }
}
