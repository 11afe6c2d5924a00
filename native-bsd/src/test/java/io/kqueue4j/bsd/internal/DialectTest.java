package io.kqueue4j.bsd.internal;

import static io.kqueue4j.KEvent.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import org.junit.jupiter.api.Test;

/**
 * Every constant the backend translates, against the OS headers: FreeBSD {@code sys/sys/event.h}
 * and {@code sys/sys/errno.h}; XNU {@code bsd/sys/event.h} and {@code bsd/sys/errno.h}; NetBSD
 * {@code sys/sys/event.h} rev. 1.54 and {@code sys/sys/errno.h}; OpenBSD {@code sys/sys/event.h}
 * rev. 1.74 and {@code sys/sys/errno.h}; libkqueue {@code include/sys/event.h.in}; Linux {@code
 * asm-generic/errno-base.h} and {@code asm-generic/errno.h}.
 */
class DialectTest {

  private static void filters(Dialect d, short[] api, int[] os) {
    for (int i = 0; i < api.length; i++) {
      assertEquals(os[i], d.filterToOs(api[i]), d + " " + filterName(api[i]));
      assertEquals(api[i], d.filterFromOs(os[i]), d + " back from " + os[i]);
    }
  }

  @Test
  void freebsd_filters_are_the_api() {
    for (short f = -15; f <= 3; f++) {
      assertEquals(f, Dialect.FREEBSD.filterToOs(f));
    }
  }

  /** XNU: EVFILT_READ (-1) .. EVFILT_TIMER (-7), EVFILT_MACHPORT (-8), EVFILT_FS (-9), EVFILT_USER (-10). */
  @Test
  void macos_filters() {
    filters(Dialect.MACOS,
        new short[] {EVFILT_READ, EVFILT_WRITE, EVFILT_AIO, EVFILT_VNODE, EVFILT_PROC,
          EVFILT_SIGNAL, EVFILT_TIMER, EVFILT_FS, EVFILT_USER},
        new int[] {-1, -2, -3, -4, -5, -6, -7, -9, -10});
    // -8 is EVFILT_MACHPORT there: FreeBSD's EVFILT_PROCDESC must not become it
    for (short lacking : new short[] {EVFILT_PROCDESC, EVFILT_LIO, EVFILT_SENDFILE, EVFILT_EMPTY,
        EVFILT_JAIL, EVFILT_JAILDESC, EVFILT_FSEVENT, (short) 3, (short) -99}) {
      assertEquals(Short.MIN_VALUE, Dialect.MACOS.filterToOs(lacking), filterName(lacking));
    }
  }

  /** NetBSD: EVFILT_READ 0U .. EVFILT_TIMER 6U, EVFILT_FS 7U, EVFILT_USER 8U, EVFILT_EMPTY 9U. */
  @Test
  void netbsd_filters() {
    filters(Dialect.NETBSD,
        new short[] {EVFILT_READ, EVFILT_WRITE, EVFILT_AIO, EVFILT_VNODE, EVFILT_PROC,
          EVFILT_SIGNAL, EVFILT_TIMER, EVFILT_FS, EVFILT_USER, EVFILT_EMPTY},
        new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    assertEquals(Integer.MAX_VALUE, Dialect.NETBSD.filterToOs(EVFILT_PROCDESC));
    assertEquals(Integer.MAX_VALUE, Dialect.NETBSD.filterToOs((short) 3),
        "3 is EVFILT_VNODE there: an unknown API filter must not become it");
  }

  /** OpenBSD: -1 .. -7, EVFILT_DEVICE (-8), EVFILT_EXCEPT (-9), EVFILT_USER (-10). */
  @Test
  void openbsd_filters() {
    filters(Dialect.OPENBSD,
        new short[] {EVFILT_READ, EVFILT_WRITE, EVFILT_AIO, EVFILT_VNODE, EVFILT_PROC,
          EVFILT_SIGNAL, EVFILT_TIMER, EVFILT_USER},
        new int[] {-1, -2, -3, -4, -5, -6, -7, -10});
    assertEquals(Short.MIN_VALUE, Dialect.OPENBSD.filterToOs(EVFILT_FS), "-9 is EVFILT_EXCEPT");
    assertEquals(Short.MIN_VALUE, Dialect.OPENBSD.filterToOs(EVFILT_PROCDESC), "-8 is EVFILT_DEVICE");
  }

  /** libkqueue: FreeBSD's ids -1 .. -11; -12 is EVFILT_LIBKQUEUE, not EVFILT_SENDFILE. */
  @Test
  void libkqueue_filters() {
    filters(Dialect.LIBKQUEUE,
        new short[] {EVFILT_READ, EVFILT_WRITE, EVFILT_AIO, EVFILT_VNODE, EVFILT_PROC,
          EVFILT_SIGNAL, EVFILT_TIMER, EVFILT_FS, EVFILT_LIO, EVFILT_USER},
        new int[] {-1, -2, -3, -4, -5, -6, -7, -9, -10, -11});
    assertEquals(Short.MIN_VALUE, Dialect.LIBKQUEUE.filterToOs(EVFILT_SENDFILE));
    assertEquals(Short.MIN_VALUE, Dialect.LIBKQUEUE.filterToOs(EVFILT_PROCDESC), "-8 is EVFILT_NETDEV");
  }

  /**
   * EV_ADD 0x1 .. EV_DISPATCH 0x80 are the same on all five; EV_FORCEONESHOT (0x100) is FreeBSD's
   * alone (0x100 is EV_UDATA_SPECIFIC on macOS); EV_EOF 0x8000, EV_ERROR 0x4000, EV_FLAG1 0x2000
   * everywhere.
   */
  @Test
  void flags() {
    int all = EV_ADD | EV_DELETE | EV_ENABLE | EV_DISABLE | EV_ONESHOT | EV_CLEAR | EV_RECEIPT
        | EV_DISPATCH;
    assertEquals(0xFF, all);
    for (Dialect d : Dialect.values()) {
      assertEquals(all, d.flagsToOs(all), d.name());
      assertEquals(EV_ONESHOT | EV_EOF | EV_ERROR | EV_FLAG1,
          d.flagsFromOs(EV_ONESHOT | EV_EOF | EV_ERROR | EV_FLAG1 | 0x1000 | 0x0100 | 0x0200),
          d.name());
      assertEquals(d == Dialect.FREEBSD ? EV_ADD | EV_FORCEONESHOT : -1,
          d.flagsToOs(EV_ADD | EV_FORCEONESHOT), d.name());
    }
    assertEquals(0, Dialect.MACOS.flagsToOs(0x0400 | 0x0800), "bits FreeBSD leaves undefined");
  }

  /** NOTE_FF* and NOTE_TRIGGER: the same values in all five headers. */
  @Test
  void user_filter_flags_pass_unchanged() {
    int fflags = NOTE_TRIGGER | NOTE_FFCOPY | 0x00ABCDEF;
    for (Dialect d : Dialect.values()) {
      assertEquals(fflags & 0xFFFFFFFFL, d.fflagsToOs(EVFILT_USER, fflags), d.name());
      assertEquals(0x00ABCDEF, d.fflagsFromOs(EVFILT_USER, 0x00ABCDEF), d.name());
    }
  }

  /**
   * Timer units. FreeBSD: NOTE_SECONDS 1, NOTE_MSECONDS 2, NOTE_USECONDS 4, NOTE_NSECONDS 8,
   * NOTE_ABSTIME 0x10. XNU and libkqueue: NOTE_SECONDS 1, NOTE_USECONDS 2, NOTE_NSECONDS 4,
   * NOTE_ABSOLUTE 8, milliseconds by default. NetBSD and OpenBSD: NOTE_MSECONDS 0, NOTE_SECONDS 1,
   * NOTE_USECONDS 2, NOTE_NSECONDS 3, NOTE_ABSTIME 0x10.
   */
  @Test
  void timer_units() {
    int[] api = {0, NOTE_MSECONDS, NOTE_SECONDS, NOTE_USECONDS, NOTE_NSECONDS,
      NOTE_SECONDS | NOTE_ABSTIME, NOTE_NSECONDS | NOTE_ABSTIME};
    long[] bits = {0, 0, 1, 2, 4, 1 | 8, 4 | 8};
    long[] numbered = {0, 0, 1, 2, 3, 1 | 0x10, 3 | 0x10};
    for (int i = 0; i < api.length; i++) {
      assertEquals(api[i], Dialect.FREEBSD.fflagsToOs(EVFILT_TIMER, api[i]));
      assertEquals(bits[i], Dialect.MACOS.fflagsToOs(EVFILT_TIMER, api[i]), "macOS " + i);
      assertEquals(bits[i], Dialect.LIBKQUEUE.fflagsToOs(EVFILT_TIMER, api[i]), "libkqueue " + i);
      assertEquals(numbered[i], Dialect.NETBSD.fflagsToOs(EVFILT_TIMER, api[i]), "NetBSD " + i);
      assertEquals(numbered[i], Dialect.OPENBSD.fflagsToOs(EVFILT_TIMER, api[i]), "OpenBSD " + i);
      int back = api[i] == NOTE_MSECONDS ? 0 : api[i];
      assertEquals(back, Dialect.MACOS.fflagsFromOs(EVFILT_TIMER, (int) bits[i]));
      assertEquals(back, Dialect.NETBSD.fflagsFromOs(EVFILT_TIMER, (int) numbered[i]));
    }
    for (Dialect d : new Dialect[] {Dialect.MACOS, Dialect.NETBSD, Dialect.OPENBSD}) {
      assertEquals(Dialect.UNSUPPORTED, d.fflagsToOs(EVFILT_TIMER, NOTE_SECONDS | NOTE_USECONDS));
      assertEquals(Dialect.UNSUPPORTED, d.fflagsToOs(EVFILT_TIMER, 0x100));
    }
  }

  /**
   * NOTE_DELETE 0x1 .. NOTE_REVOKE 0x40 everywhere; FreeBSD's NOTE_OPEN 0x80, NOTE_CLOSE 0x100,
   * NOTE_CLOSE_WRITE 0x200, NOTE_READ 0x400 exist with those values on NetBSD only (0x80 is
   * NOTE_NONE on macOS and NOTE_TRUNCATE on OpenBSD and libkqueue).
   */
  @Test
  void vnode_flags() {
    int common = NOTE_DELETE | NOTE_WRITE | NOTE_EXTEND | NOTE_ATTRIB | NOTE_LINK | NOTE_RENAME
        | NOTE_REVOKE;
    int extra = NOTE_OPEN | NOTE_CLOSE | NOTE_CLOSE_WRITE | NOTE_READ;
    for (Dialect d : Dialect.values()) {
      assertEquals(common, d.fflagsToOs(EVFILT_VNODE, common), d.name());
      boolean has = d == Dialect.FREEBSD || d == Dialect.NETBSD;
      assertEquals(has ? extra : Dialect.UNSUPPORTED, d.fflagsToOs(EVFILT_VNODE, extra), d.name());
    }
  }

  /** NOTE_LOWAT 1 everywhere; NOTE_FILE_POLL 2 is FreeBSD's (OpenBSD's 2 is NOTE_EOF). */
  @Test
  void read_write_flags() {
    for (Dialect d : Dialect.values()) {
      assertEquals(NOTE_LOWAT, d.fflagsToOs(EVFILT_READ, NOTE_LOWAT), d.name());
      assertEquals(d == Dialect.FREEBSD ? NOTE_FILE_POLL : Dialect.UNSUPPORTED,
          d.fflagsToOs(EVFILT_READ, NOTE_FILE_POLL), d.name());
    }
  }

  /** NOTE_EXIT, NOTE_FORK, NOTE_EXEC, NOTE_TRACK, NOTE_TRACKERR, NOTE_CHILD: the same bits. */
  @Test
  void proc_flags() {
    int common = NOTE_EXIT | NOTE_FORK | NOTE_EXEC | NOTE_TRACK | NOTE_TRACKERR | NOTE_CHILD;
    for (Dialect d : Dialect.values()) {
      assertEquals(common & 0xFFFFFFFFL, d.fflagsToOs(EVFILT_PROC, common), d.name());
    }
    assertEquals(Dialect.UNSUPPORTED, Dialect.MACOS.fflagsToOs(EVFILT_PROC, NOTE_REAP),
        "FreeBSD's NOTE_REAP value is NOTE_EXITSTATUS on macOS");
  }

  @Test
  void errno_below_82_is_shared_by_the_bsds() {
    for (Dialect d : new Dialect[] {Dialect.FREEBSD, Dialect.MACOS, Dialect.NETBSD,
        Dialect.OPENBSD}) {
      for (int e = 1; e <= 81; e++) {
        assertEquals(e, d.errnoFromOs(e), d + " errno " + e);
      }
    }
  }

  /** XNU bsd/sys/errno.h above 81. */
  @Test
  void macos_errno() {
    int[][] pairs = {{84, 84}, {89, 85}, {90, 82}, {91, 83}, {92, 86}, {94, 89}, {95, 90},
      {97, 91}, {100, 92}, {102, Errno.EOPNOTSUPP}, {104, 95}, {105, 96}, {106, Errno.EIO}};
    for (int[] p : pairs) {
      assertEquals(p[1], Dialect.MACOS.errnoFromOs(p[0]), "macOS " + p[0]);
    }
  }

  /** NetBSD sys/sys/errno.h above 81. */
  @Test
  void netbsd_errno() {
    int[][] pairs = {{82, 82}, {83, 83}, {84, 84}, {85, 86}, {86, Errno.ENOTSUP}, {87, 85},
      {88, 89}, {94, 90}, {95, 91}, {96, 92}, {93, Errno.EIO}};
    for (int[] p : pairs) {
      assertEquals(p[1], Dialect.NETBSD.errnoFromOs(p[0]), "NetBSD " + p[0]);
    }
  }

  /** OpenBSD sys/sys/errno.h above 81. */
  @Test
  void openbsd_errno() {
    int[][] pairs = {{84, 86}, {87, 84}, {88, 85}, {89, 82}, {90, 83}, {91, Errno.ENOTSUP},
      {92, 89}, {93, 95}, {94, 96}, {95, 92}, {82, Errno.EIO}};
    for (int[] p : pairs) {
      assertEquals(p[1], Dialect.OPENBSD.errnoFromOs(p[0]), "OpenBSD " + p[0]);
    }
  }

  /** Linux asm-generic/errno-base.h and errno.h to FreeBSD's numbers. */
  @Test
  void linux_errno_for_libkqueue() {
    int[][] pairs = {{1, Errno.EPERM}, {2, Errno.ENOENT}, {3, Errno.ESRCH}, {4, Errno.EINTR},
      {9, Errno.EBADF}, {11, Errno.EAGAIN}, {12, Errno.ENOMEM}, {13, Errno.EACCES},
      {14, Errno.EFAULT}, {22, Errno.EINVAL}, {24, Errno.EMFILE}, {35, Errno.EDEADLK},
      {36, Errno.ENAMETOOLONG}, {38, Errno.ENOSYS}, {39, Errno.ENOTEMPTY}, {40, Errno.ELOOP},
      {88, Errno.ENOTSOCK}, {95, Errno.EOPNOTSUPP}, {98, Errno.EADDRINUSE},
      {104, Errno.ECONNRESET}, {107, Errno.ENOTCONN}, {110, Errno.ETIMEDOUT},
      {111, Errno.ECONNREFUSED}, {114, Errno.EALREADY}, {115, Errno.EINPROGRESS},
      {61, Errno.EIO}};
    for (int[] p : pairs) {
      assertEquals(p[1], Dialect.LIBKQUEUE.errnoFromOs(p[0]), "Linux " + p[0]);
    }
  }

  @Test
  void invalid_filters_are_outside_every_range() {
    for (Dialect d : Dialect.values()) {
      int invalid = d.invalidFilter();
      assertEquals(d == Dialect.NETBSD ? Integer.MAX_VALUE : Short.MIN_VALUE, invalid);
      assertTrue(d.filterFromOs(invalid) != EVFILT_USER);
    }
  }
}
