package io.kqueue4j.samples.kqwatch;

import io.kqueue4j.filters.fsevent.FsEvent;
import io.kqueue4j.filters.fsevent.FsEventType;
import java.nio.file.Path;

/** How one file-system event becomes one output line: text or a JSON object. */
enum EventFormat {
  /** {@code CREATE_FILE /abs/path}, {@code RENAME /a -> /b}, {@code DELETE /abs/dir [dir]}. */
  TEXT {
    @Override
    String format(FsEvent e) {
      StringBuilder sb = new StringBuilder(e.type().name());
      if (e.type() == FsEventType.EVENTS_DROPPED) {
        return sb.append(' ').append(e.droppedCount()).append(" event(s) lost, rescan ")
            .append(e.root()).toString();
      }
      sb.append(' ').append(e.absolutePath());
      if (e.destination() != null) {
        sb.append(" -> ").append(e.absoluteDestination());
      }
      if (e.isDirectory()) {
        sb.append(" [dir]");
      }
      return sb.toString();
    }
  },
  /** {@code {"type":"RENAME","path":"/a","dest":"/b","isDir":false,"id":12}}. */
  JSON {
    @Override
    String format(FsEvent e) {
      StringBuilder sb = new StringBuilder(128).append("{\"type\":");
      string(sb, e.type().name());
      sb.append(",\"path\":");
      string(sb, e.absolutePath());
      if (e.destination() != null) {
        sb.append(",\"dest\":");
        string(sb, e.absoluteDestination());
      }
      sb.append(",\"isDir\":").append(e.isDirectory());
      sb.append(",\"id\":").append(e.eventId());
      if (e.type() == FsEventType.EVENTS_DROPPED) {
        sb.append(",\"dropped\":").append(e.droppedCount());
      }
      return sb.append('}').toString();
    }
  };

  abstract String format(FsEvent e);

  private static void string(StringBuilder sb, Object value) {
    String s = String.valueOf(value);
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  /** Whether the event concerns one of the watched paths: under a directory, or a watched file. */
  static boolean concerns(FsEvent e, java.util.List<Path> dirs, java.util.Set<Path> files) {
    if (e.type() == FsEventType.EVENTS_DROPPED) {
      return true;
    }
    return concerns(e.absolutePath(), dirs, files)
        || (e.destination() != null && concerns(e.absoluteDestination(), dirs, files));
  }

  private static boolean concerns(Path p, java.util.List<Path> dirs, java.util.Set<Path> files) {
    if (files.contains(p)) {
      return true;
    }
    for (Path d : dirs) {
      if (p.startsWith(d)) {
        return true;
      }
    }
    return false;
  }
}
