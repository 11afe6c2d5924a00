package io.kqueue4j.linux;

/**
 * Run in a fresh JVM by {@link ForeignOsTest}: prints, one per line, each facility's availability
 * and cause, then whether using one throws {@link UnsupportedOperationException}.
 */
public final class AvailabilityReportMain {

  private AvailabilityReportMain() {}

  public static void main(String[] args) throws Exception {
    System.out.println("LibC " + LibC.isAvailable() + " " + LibC.unavailabilityCause());
    System.out.println("Epoll " + Epoll.isAvailable() + " " + Epoll.unavailabilityCause());
    System.out.println("EventFd " + EventFd.isAvailable() + " " + EventFd.unavailabilityCause());
    System.out.println("Inotify " + Inotify.isAvailable() + " " + Inotify.unavailabilityCause());
    System.out.println("PidFd " + PidFd.isAvailable() + " " + PidFd.unavailabilityCause());
    System.out.println(
        "waitid " + PidFd.isWaitidAvailable() + " " + PidFd.waitidUnavailabilityCause());
    System.out.println("Stat " + Stat.isAvailable() + " " + Stat.unavailabilityCause());
    try {
      Epoll.open().close();
      System.out.println("opened");
    } catch (UnsupportedOperationException e) {
      System.out.println("refused: " + e.getMessage());
    }
  }
}
