package io.kqueue4j.bsd.internal;

import static io.kqueue4j.KEvent.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.fsevent.FsEventType;
import io.kqueue4j.filters.fsevent.FsWatcher;
import io.kqueue4j.filters.fsevent.WatchServiceFsEventSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code EVFILT_FSEVENT} on the native backend, bridged to a kernel {@code EVFILT_USER} knote,
 * through a {@link FakeKernel} of every ABI: the same answers as the emulated filter (see {@code
 * FsEventFilter}). The watchers are real ones on real directories (portable source).
 */
class FsEventBridgeTest {
  private static final Duration PATIENCE = Duration.ofSeconds(10);

  @TempDir Path dir;
  private final List<FakeKernel> kernels = new ArrayList<>();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    for (FakeKernel kernel : kernels) {
      assertEquals(List.of(), kernel.violations());
      kernel.shutdown();
    }
  }

  private NativeKQueue queue(FakeAbi abi) throws KQueueException {
    FakeKernel kernel = new FakeKernel(abi);
    kernels.add(kernel);
    NativeKQueue kq = NativeKQueue.open(kernel, abi.layout());
    open.add(kq);
    return kq;
  }

  private FsWatcher watcher(Path root) throws IOException {
    FsWatcher w = FsWatcher.builder().root(root).source(WatchServiceFsEventSource.NAME)
        .coalescingWindow(Duration.ZERO).build();
    open.add(w);
    return w;
  }

  private static KEvent change(NativeKQueue kq, long ident, short filter, int flags, int fflags,
      Object udata) throws KQueueException {
    KEvent[] out = new KEvent[1];
    assertEquals(1, kq.kevent(new KEvent[] {KEvent.of(ident, filter, flags | EV_RECEIPT, fflags,
        0, udata)}, out, Duration.ZERO));
    return out[0];
  }

  /** An error or receipt entry: the caller's ident, filter and udata, {@code EV_ERROR}, errno. */
  private static void assertAnswer(KEvent answer, long ident, int errno, Object udata) {
    assertEquals(ident, answer.ident(), answer.toString());
    assertEquals(EVFILT_FSEVENT, answer.filter(), answer.toString());
    assertTrue((answer.flags() & EV_ERROR) != 0, answer.toString());
    assertEquals(errno, answer.data(), answer.toString());
    assertEquals(udata, answer.udata(), answer.toString());
  }

  private static KEvent[] poll(NativeKQueue kq, Duration timeout) throws KQueueException {
    KEvent[] out = new KEvent[8];
    int n = kq.kevent(null, out, timeout);
    return Arrays.copyOf(out, n);
  }

  private static KEvent next(NativeKQueue kq) throws KQueueException {
    KEvent[] got = poll(kq, PATIENCE);
    assertEquals(1, got.length, "one event within " + PATIENCE + ": " + Arrays.toString(got));
    return got[0];
  }

  private static void drain(FsWatcher w) throws KQueueException {
    while (w.poll() != null) {
      // read every record
    }
  }

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void ev_clear_fires_once_per_batch_with_data_the_records_queued(FakeAbi abi) throws Exception {
    NativeKQueue kq = queue(abi);
    FsWatcher w = watcher(dir);
    KEvent receipt = change(kq, w.id(), EVFILT_FSEVENT, EV_ADD | EV_CLEAR, 0, "w");
    assertAnswer(receipt, w.id(), 0, "w");
    assertEquals(0, poll(kq, Duration.ZERO).length, "nothing queued yet");
    Files.createFile(dir.resolve("f"));
    KEvent ev = next(kq);
    assertEquals(w.id(), ev.ident());
    assertEquals(EVFILT_FSEVENT, ev.filter());
    assertEquals("w", ev.udata());
    assertTrue((ev.flags() & EV_CLEAR) != 0);
    assertEquals(0, ev.fflags());
    assertTrue(ev.data() >= 1 && ev.data() <= w.pending(), ev + " vs pending " + w.pending());
    assertEquals(FsEventType.CREATE_FILE, w.poll().type());
    drain(w);
    assertEquals(0, poll(kq, Duration.ZERO).length, "EV_CLEAR: not again without new records");
    Files.createFile(dir.resolve("g"));
    assertEquals(w.id(), next(kq).ident());
    KEvent deleted = change(kq, w.id(), EVFILT_FSEVENT, EV_DELETE, 0, null);
    assertEquals(0, deleted.data());
    assertEquals(Errno.ENOENT, change(kq, w.id(), EVFILT_FSEVENT, EV_DELETE, 0, null).data());
  }

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void without_ev_clear_it_stays_active_while_records_remain(FakeAbi abi) throws Exception {
    NativeKQueue kq = queue(abi);
    FsWatcher w = watcher(dir);
    change(kq, w.id(), EVFILT_FSEVENT, EV_ADD, 0, null);
    Files.createFile(dir.resolve("f"));
    KEvent first = next(kq);
    assertEquals(0, first.flags() & EV_CLEAR, "the caller's flags, not the bridge's EV_CLEAR");
    KEvent again = next(kq);
    assertEquals(w.id(), again.ident());
    assertEquals(w.pending(), again.data());
    drain(w);
    assertEquals(0, poll(kq, Duration.ofMillis(50)).length, "inactive once read");
  }

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void bad_input_fails_in_place_as_the_emulated_filter_does(FakeAbi abi) throws Exception {
    NativeKQueue kq = queue(abi);
    FsWatcher w = watcher(dir);
    KEvent[] out = new KEvent[4];
    int n = kq.kevent(new KEvent[] {
        KEvent.of(w.id(), EVFILT_FSEVENT, EV_ADD, NOTE_TRIGGER, 0, "fflags"),
        KEvent.of(987654321L, EVFILT_FSEVENT, EV_ADD, 0, 0, "unknown"),
        KEvent.of(w.id(), EVFILT_FSEVENT, EV_ADD | EV_RECEIPT, 0, 0, "ok"),
        KEvent.of(FsEventBridge.osIdent(w.id()), EVFILT_USER, EV_ADD, 0, 0, "reserved")},
        out, Duration.ZERO);
    assertEquals(4, n, Arrays.toString(out));
    assertAnswer(out[0], w.id(), Errno.EINVAL, "fflags");
    assertAnswer(out[1], 987654321L, Errno.EBADF, "unknown");
    assertAnswer(out[2], w.id(), 0, "ok");
    assertEquals(Errno.EINVAL, out[3].data(), "EVFILT_USER cannot name the bridge's idents");
    KQueueException e = org.junit.jupiter.api.Assertions.assertThrows(KQueueException.class,
        () -> kq.kevent(new KEvent[] {KEvent.of(987654321L, EVFILT_FSEVENT, EV_ADD, 0, 0, null)},
            null, Duration.ZERO));
    assertEquals(Errno.EBADF, e.errno());
  }

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void root_removal_revokes_once_with_eof_and_the_knote_is_gone(FakeAbi abi) throws Exception {
    NativeKQueue kq = queue(abi);
    Path root = Files.createDirectory(dir.resolve("root"));
    FsWatcher w = watcher(root);
    int baseline = kq.liveTokens();
    change(kq, w.id(), EVFILT_FSEVENT, EV_ADD | EV_CLEAR, 0, "w");
    Files.delete(root);
    KEvent ev = next(kq);
    while ((ev.flags() & EV_EOF) == 0) { // records of the removal may come first
      drain(w);
      ev = next(kq);
    }
    assertEquals(EV_CLEAR | EV_EOF | EV_ONESHOT, ev.flags() & (EV_EOF | EV_ONESHOT | EV_CLEAR));
    assertEquals(NOTE_REVOKE, ev.fflags());
    assertEquals("w", ev.udata());
    assertTrue(w.isRevoked());
    assertEquals(0, poll(kq, Duration.ofMillis(50)).length, "fires once");
    assertEquals(Errno.ENOENT, change(kq, w.id(), EVFILT_FSEVENT, EV_DELETE, 0, null).data());
    assertEquals(baseline, kq.liveTokens(), "the udata is released");
    change(kq, w.id(), EVFILT_FSEVENT, EV_ADD, 0, "late");
    KEvent late = next(kq);
    assertEquals(EV_EOF | EV_ONESHOT, late.flags() & (EV_EOF | EV_ONESHOT),
        "a knote added to a revoked watcher fires at once");
    w.close();
    assertEquals(Errno.EBADF, change(kq, w.id(), EVFILT_FSEVENT, EV_ADD, 0, null).data(),
        "a closed watcher is a closed descriptor");
  }

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void closing_the_watcher_revokes_its_knote(FakeAbi abi) throws Exception {
    NativeKQueue kq = queue(abi);
    FsWatcher w = watcher(dir);
    change(kq, w.id(), EVFILT_FSEVENT, EV_ADD, 0, null);
    w.close();
    KEvent ev = next(kq);
    assertEquals(EV_EOF | EV_ONESHOT, ev.flags() & (EV_EOF | EV_ONESHOT | EV_CLEAR));
    assertEquals(NOTE_REVOKE, ev.fflags());
    assertEquals(0, ev.data(), "nothing readable after a close");
  }

  @ParameterizedTest
  @EnumSource(FakeAbi.class)
  void oneshot_and_dispatch_keep_their_meaning(FakeAbi abi) throws Exception {
    NativeKQueue kq = queue(abi);
    FsWatcher w = watcher(dir);
    change(kq, w.id(), EVFILT_FSEVENT, EV_ADD | EV_ONESHOT, 0, null);
    Files.createFile(dir.resolve("f"));
    assertEquals(EV_ONESHOT, next(kq).flags() & EV_ONESHOT);
    assertEquals(Errno.ENOENT, change(kq, w.id(), EVFILT_FSEVENT, EV_DELETE, 0, null).data(),
        "a oneshot knote is gone after its event");
    drain(w);
    change(kq, w.id(), EVFILT_FSEVENT, EV_ADD | EV_DISPATCH | EV_CLEAR, 0, null);
    Files.createFile(dir.resolve("g"));
    assertEquals(EV_DISPATCH, next(kq).flags() & EV_DISPATCH);
    drain(w);
    Files.createFile(dir.resolve("h"));
    assertEquals(0, poll(kq, Duration.ofMillis(300)).length, "disabled after its event");
    change(kq, w.id(), EVFILT_FSEVENT, EV_ENABLE, 0, null);
    assertEquals(w.id(), next(kq).ident(), "enabled again, with records queued");
  }
}
