package io.kqueue4j.linux.proc;

import java.nio.ByteBuffer;

/**
 * The messages of the process-event connector ({@code <linux/connector.h>}, {@code
 * <linux/cn_proc.h>}, {@code <linux/netlink.h>}): the {@code PROC_CN_MCAST_LISTEN}/{@code IGNORE}
 * request this process sends, and the decoding of what the kernel multicasts back. Each message is
 * a {@code struct nlmsghdr}, then a {@code struct cn_msg}, then its payload: the request's {@code
 * enum proc_cn_mcast_op}, or a {@code struct proc_event}. All fields are in host byte order.
 *
 * <p>Only the events {@code EVFILT_PROC} uses are decoded: {@code PROC_EVENT_FORK}, {@code
 * PROC_EVENT_EXEC}, {@code PROC_EVENT_EXIT}, and {@code PROC_EVENT_NONE}, the kernel's answer to a
 * request. Thread events are passed on as they are; {@link Handler} implementations tell threads
 * from processes by comparing pid and tgid.
 */
final class ProcConnectorMessages {

  /** {@code CN_IDX_PROC}: the connector's index and also the multicast group of process events. */
  static final int CN_IDX_PROC = 1;
  /** {@code CN_VAL_PROC}. */
  static final int CN_VAL_PROC = 1;
  /** {@code PROC_CN_MCAST_LISTEN}. */
  static final int PROC_CN_MCAST_LISTEN = 1;
  /** {@code PROC_CN_MCAST_IGNORE}. */
  static final int PROC_CN_MCAST_IGNORE = 2;

  static final int PROC_EVENT_NONE = 0;
  static final int PROC_EVENT_FORK = 0x00000001;
  static final int PROC_EVENT_EXEC = 0x00000002;
  static final int PROC_EVENT_EXIT = 0x80000000;

  /** {@code NLMSG_DONE}: the type the connector gives every message, both ways. */
  static final int NLMSG_DONE = 3;

  /** {@code sizeof(struct nlmsghdr)}: len u32, type u16, flags u16, seq u32, pid u32. */
  static final int NLMSGHDR_SIZE = 16;
  /** {@code sizeof(struct cn_msg)}: id.idx u32, id.val u32, seq u32, ack u32, len u16, flags u16. */
  static final int CN_MSG_SIZE = 20;
  /** Where the payload starts: after both headers. */
  static final int PAYLOAD = NLMSGHDR_SIZE + CN_MSG_SIZE;
  /** The size of a request: the headers and one {@code u32} op. */
  static final int REQUEST_SIZE = PAYLOAD + Integer.BYTES;

  /** Offsets in {@code struct cn_msg}, from its start. */
  private static final int CN_IDX = 0;
  private static final int CN_VAL = 4;
  private static final int CN_SEQ = 8;
  private static final int CN_ACK = 12;
  private static final int CN_LEN = 16;

  /**
   * Offsets in {@code struct proc_event}: what u32, cpu u32, timestamp_ns u64 (aligned to 8), then
   * the union {@code event_data} at 16.
   */
  private static final int EV_WHAT = 0;
  private static final int EV_DATA = 16;
  /** The smallest {@code proc_event} decoded: up to {@code exit.exit_code} (16 + 12 bytes). */
  private static final int EV_MIN = EV_DATA + 12;

  private ProcConnectorMessages() {}

  /** What a decoded message says. */
  interface Handler {
    /** {@code fork_proc_event}: the parent thread's pid and tgid, the child's pid and tgid. */
    void fork(int parentPid, int parentTgid, int childPid, int childTgid);

    /** {@code exec_proc_event}. */
    void exec(int pid, int tgid);

    /** {@code exit_proc_event}, with {@code exit_code} in {@code wait(2)} encoding. */
    void exit(int pid, int tgid, int exitCode);

    /**
     * {@code PROC_EVENT_NONE}: the answer to a request, whose {@code ack} it carries plus one;
     * {@code err} is 0 or a Linux errno.
     */
    void ack(int seq, int ack, int err);
  }

  /**
   * Writes a request ({@code PROC_CN_MCAST_LISTEN} or {@code IGNORE}) at index 0 of {@code out},
   * which must hold {@link #REQUEST_SIZE} bytes in native order. The kernel answers with {@link
   * Handler#ack} carrying {@code ack + 1}, and a {@code seq} of its own (its event counter).
   */
  static void writeRequest(ByteBuffer out, int op, int seq, int ack) {
    out.putInt(0, REQUEST_SIZE);
    out.putShort(4, (short) NLMSG_DONE);
    out.putShort(6, (short) 0);
    out.putInt(8, 0);
    out.putInt(12, 0); // nlmsg_pid: this socket's port id is filled in by the kernel
    int cn = NLMSGHDR_SIZE;
    out.putInt(cn + CN_IDX, CN_IDX_PROC);
    out.putInt(cn + CN_VAL, CN_VAL_PROC);
    out.putInt(cn + CN_SEQ, seq);
    out.putInt(cn + CN_ACK, ack);
    out.putShort(cn + CN_LEN, (short) Integer.BYTES);
    out.putShort(cn + CN_LEN + 2, (short) 0);
    out.putInt(PAYLOAD, op);
  }

  /**
   * Decodes the {@code length} bytes at index 0 of {@code in} (one datagram, which may hold
   * several netlink messages) and tells {@code handler}; other connectors' messages, other events
   * and truncated messages are skipped.
   */
  static void decode(ByteBuffer in, int length, Handler handler) {
    int at = 0;
    while (length - at >= NLMSGHDR_SIZE) {
      int messageLength = in.getInt(at);
      if (messageLength < NLMSGHDR_SIZE || messageLength > length - at) {
        return;
      }
      if ((in.getShort(at + 4) & 0xffff) == NLMSG_DONE && messageLength >= PAYLOAD + EV_MIN) {
        decodeConnector(in, at + NLMSGHDR_SIZE, handler);
      }
      at += (messageLength + 3) & ~3; // NLMSG_ALIGN
    }
  }

  private static void decodeConnector(ByteBuffer in, int cn, Handler handler) {
    if (in.getInt(cn + CN_IDX) != CN_IDX_PROC || in.getInt(cn + CN_VAL) != CN_VAL_PROC
        || (in.getShort(cn + CN_LEN) & 0xffff) < EV_MIN) {
      return;
    }
    int ev = cn + CN_MSG_SIZE;
    int data = ev + EV_DATA;
    switch (in.getInt(ev + EV_WHAT)) {
      case PROC_EVENT_FORK -> handler.fork(in.getInt(data), in.getInt(data + 4),
          in.getInt(data + 8), in.getInt(data + 12));
      case PROC_EVENT_EXEC -> handler.exec(in.getInt(data), in.getInt(data + 4));
      case PROC_EVENT_EXIT -> handler.exit(in.getInt(data), in.getInt(data + 4),
          in.getInt(data + 8));
      case PROC_EVENT_NONE -> handler.ack(in.getInt(cn + CN_SEQ), in.getInt(cn + CN_ACK),
          in.getInt(data));
      default -> { } // uid, gid, sid, ptrace, comm, coredump: not EVFILT_PROC's business
    }
  }
}
