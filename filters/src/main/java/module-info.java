/** kqueue4j filters: timers, processes, signals, descriptors, vnodes and file-system event streams. */
module io.kqueue4j.filters {
  requires transitive io.kqueue4j;
  requires jdk.unsupported;
  requires org.jctools.core;

  exports io.kqueue4j.filters.timer;
  exports io.kqueue4j.filters.proc;
  exports io.kqueue4j.filters.signal;
  exports io.kqueue4j.filters.descriptor;
  exports io.kqueue4j.filters.spi;
  exports io.kqueue4j.filters.fsevent;
  exports io.kqueue4j.filters.vnode;

  uses io.kqueue4j.filters.spi.ProcessExitSource;
  uses io.kqueue4j.filters.spi.ProcessEventSource;
  uses io.kqueue4j.filters.descriptor.ReadinessSource;
  uses io.kqueue4j.filters.fsevent.FsEventSource;
  uses io.kqueue4j.filters.vnode.VnodeSource;

  provides io.kqueue4j.kernel.FilterProvider with
      io.kqueue4j.filters.timer.TimerFilterProvider,
      io.kqueue4j.filters.descriptor.DescriptorFilterProvider,
      io.kqueue4j.filters.proc.ProcFilterProvider,
      io.kqueue4j.filters.signal.SignalFilterProvider,
      io.kqueue4j.filters.fsevent.FsEventFilterProvider,
      io.kqueue4j.filters.vnode.VnodeFilterProvider;
  provides io.kqueue4j.filters.fsevent.FsEventSource with
      io.kqueue4j.filters.fsevent.WatchServiceFsEventSource;
  provides io.kqueue4j.spi.DescriptorSupport with
      io.kqueue4j.filters.descriptor.SelectorDescriptors;
}
