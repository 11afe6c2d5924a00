package io.kqueue4j.linux.fsevent;

import io.kqueue4j.linux.internal.PathBytes;
import java.nio.ByteBuffer;

/**
 * One event read from a {@link FanotifyGroup}, parsed from {@code struct fanotify_event_metadata}
 * and its info records ({@code struct fanotify_event_info_fid}); a reusable flyweight.
 *
 * <p>Layouts ({@code linux/fanotify.h}): metadata {@code event_len} u32 at 0, {@code vers} u8 at 4,
 * {@code metadata_len} u16 at 6, {@code mask} u64 at 8, {@code fd} s32 at 16, {@code pid} s32 at
 * 20 (24 bytes); info header {@code info_type} u8 at 0, {@code len} u16 at 2; fid record: {@code
 * fsid} at 4 (8 bytes), {@code struct file_handle} at 12, then for the {@code *DFID_NAME} types
 * the NUL-terminated name.
 */
final class FanotifyEvent {

  static final int METADATA_LEN = 24;
  static final int FANOTIFY_METADATA_VERSION = 3;
  static final int FAN_EVENT_INFO_TYPE_FID = 1;
  static final int FAN_EVENT_INFO_TYPE_DFID_NAME = 2;
  static final int FAN_EVENT_INFO_TYPE_DFID = 3;
  static final int FAN_EVENT_INFO_TYPE_OLD_DFID_NAME = 10;
  static final int FAN_EVENT_INFO_TYPE_NEW_DFID_NAME = 12;

  /** The name a {@code DFID_NAME} record carries for an event on the directory itself. */
  static final String SELF = ".";

  long mask;
  int pid;
  /** The directory holding the entry ({@code DFID_NAME}, or the old one of a rename); or null. */
  FanotifyHandle dir;
  String name;
  /** The new directory and name of a {@code FAN_RENAME}; or null. */
  FanotifyHandle newDir;
  String newName;
  /** The object itself ({@code FID}); or null. */
  FanotifyHandle object;

  /**
   * Parses the event at {@code offset} of {@code buffer} ({@code length} valid bytes).
   *
   * @return the offset of the next event
   * @throws IllegalStateException when the bytes are not a version-3 event
   */
  int wrap(ByteBuffer buffer, int offset, int length) {
    int eventLen = buffer.getInt(offset);
    int vers = buffer.get(offset + 4) & 0xff;
    int metaLen = buffer.getShort(offset + 6) & 0xffff;
    if (vers != FANOTIFY_METADATA_VERSION || eventLen < METADATA_LEN || metaLen < METADATA_LEN
        || offset + eventLen > length) {
      throw new IllegalStateException("bad fanotify event at " + offset + ": version " + vers
          + ", length " + eventLen);
    }
    mask = buffer.getLong(offset + 8);
    pid = buffer.getInt(offset + 20);
    dir = null;
    name = null;
    newDir = null;
    newName = null;
    object = null;
    int end = offset + eventLen;
    for (int rec = offset + metaLen; rec + 4 <= end; ) {
      int type = buffer.get(rec) & 0xff;
      int len = buffer.getShort(rec + 2) & 0xffff;
      if (len < 4 || rec + len > end) {
        throw new IllegalStateException("bad fanotify info record of " + len + " bytes");
      }
      switch (type) {
        case FAN_EVENT_INFO_TYPE_FID -> object = handle(buffer, rec);
        case FAN_EVENT_INFO_TYPE_DFID -> dir = handle(buffer, rec);
        case FAN_EVENT_INFO_TYPE_DFID_NAME, FAN_EVENT_INFO_TYPE_OLD_DFID_NAME -> {
          dir = handle(buffer, rec);
          name = name(buffer, FanotifyHandle.end(buffer, rec + 12), rec + len);
        }
        case FAN_EVENT_INFO_TYPE_NEW_DFID_NAME -> {
          newDir = handle(buffer, rec);
          newName = name(buffer, FanotifyHandle.end(buffer, rec + 12), rec + len);
        }
        default -> {
          // PIDFD, ERROR and future types: not used
        }
      }
      rec += len;
    }
    return end;
  }

  /** Whether the mask has any of {@code bits}. */
  boolean has(long bits) {
    return (mask & bits) != 0;
  }

  boolean isDir() {
    return has(FanotifyGroup.FAN_ONDIR);
  }

  private static FanotifyHandle handle(ByteBuffer buffer, int rec) {
    return FanotifyHandle.of(buffer.getLong(rec + 4), buffer, rec + 12);
  }

  private static String name(ByteBuffer buffer, int from, int limit) {
    int end = from;
    while (end < limit && buffer.get(end) != 0) {
      end++;
    }
    byte[] b = new byte[end - from];
    buffer.get(from, b);
    return new String(b, PathBytes.FILE_NAME_CHARSET);
  }
}
