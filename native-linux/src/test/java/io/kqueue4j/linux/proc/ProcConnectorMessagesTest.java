package io.kqueue4j.linux.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The connector's wire format pinned against {@code <linux/netlink.h>}, {@code <linux/connector.h>}
 * and {@code <linux/cn_proc.h>}: {@code nlmsghdr} 16 bytes, {@code cn_msg} 20, {@code proc_event}
 * with {@code event_data} at 16.
 */
class ProcConnectorMessagesTest {
  private static final int FORK = 1;
  private static final int EXEC = 2;
  private static final int UID = 4;
  private static final int EXIT = 0x80000000;

  /** Records what was decoded, one line per message. */
  private static final class Recorder implements ProcConnectorMessages.Handler {
    final List<String> seen = new ArrayList<>();

    @Override
    public void fork(int parentPid, int parentTgid, int childPid, int childTgid) {
      seen.add("fork " + parentPid + " " + parentTgid + " " + childPid + " " + childTgid);
    }

    @Override
    public void exec(int pid, int tgid) {
      seen.add("exec " + pid + " " + tgid);
    }

    @Override
    public void exit(int pid, int tgid, int exitCode) {
      seen.add("exit " + pid + " " + tgid + " " + exitCode);
    }

    @Override
    public void ack(int seq, int ack, int err) {
      seen.add("ack " + seq + " " + ack + " " + err);
    }
  }

  private static ByteBuffer buffer(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
  }

  /** One message as the kernel sends it: headers and a 40-byte {@code proc_event}. */
  private static int putEvent(ByteBuffer b, int at, int idx, int what, int... data) {
    int length = 16 + 20 + 40;
    b.putInt(at, length).putShort(at + 4, (short) 3);
    b.putInt(at + 16, idx).putInt(at + 20, 1).putInt(at + 24, 77).putInt(at + 28, 0);
    b.putShort(at + 32, (short) 40);
    b.putInt(at + 36, what).putInt(at + 40, 3).putLong(at + 44, 123456789L);
    for (int i = 0; i < data.length; i++) {
      b.putInt(at + 52 + 4 * i, data[i]);
    }
    return at + length;
  }

  @Test
  void requestLayout() {
    ByteBuffer b = buffer(ProcConnectorMessages.REQUEST_SIZE);
    ProcConnectorMessages.writeRequest(b, ProcConnectorMessages.PROC_CN_MCAST_LISTEN, 5, 9);
    assertEquals(40, ProcConnectorMessages.REQUEST_SIZE);
    assertEquals(40, b.getInt(0), "nlmsg_len");
    assertEquals(3, b.getShort(4), "nlmsg_type NLMSG_DONE");
    assertEquals(1, b.getInt(16), "cn_msg.id.idx CN_IDX_PROC");
    assertEquals(1, b.getInt(20), "cn_msg.id.val CN_VAL_PROC");
    assertEquals(5, b.getInt(24), "cn_msg.seq");
    assertEquals(9, b.getInt(28), "cn_msg.ack");
    assertEquals(4, b.getShort(32), "cn_msg.len");
    assertEquals(1, b.getInt(36), "PROC_CN_MCAST_LISTEN");
  }

  @Test
  void decodesForkExecExitAndAckFromOneDatagram() {
    ByteBuffer b = buffer(1024);
    int end = putEvent(b, 0, 1, FORK, 100, 100, 101, 101);
    end = putEvent(b, end, 1, EXEC, 101, 101);
    end = putEvent(b, end, 1, EXIT, 101, 101, 0x0300, 17, 100, 100);
    end = putEvent(b, end, 1, 0, 0);
    Recorder r = new Recorder();
    ProcConnectorMessages.decode(b, end, r);
    assertEquals(List.of("fork 100 100 101 101", "exec 101 101", "exit 101 101 768",
        "ack 77 0 0"), r.seen);
  }

  @Test
  void skipsOtherConnectorsOtherEventsAndTruncatedMessages() {
    ByteBuffer b = buffer(1024);
    int end = putEvent(b, 0, 2, FORK, 1, 1, 2, 2); // another connector index
    end = putEvent(b, end, 1, UID, 1, 1, 0, 0);
    int cut = putEvent(b, end, 1, EXEC, 5, 5) - 10;
    Recorder r = new Recorder();
    ProcConnectorMessages.decode(b, cut, r);
    assertEquals(List.of(), r.seen);
  }
}
