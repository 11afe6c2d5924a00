/** kqueue4j on Linux: JNR-FFI bindings of epoll, eventfd, pidfd, inotify and statx, and the sources built on them. */
module io.kqueue4j.linux {
  requires transitive io.kqueue4j;
  requires io.kqueue4j.filters;
  requires org.jnrproject.ffi;
  requires org.jnrproject.jffi;
  requires jdk.unsupported;

  exports io.kqueue4j.linux;

  provides io.kqueue4j.spi.DescriptorSupport with
      io.kqueue4j.linux.descriptor.LinuxDescriptorSupport;
  provides io.kqueue4j.filters.descriptor.ReadinessSource with
      io.kqueue4j.linux.descriptor.EpollReadinessSource;
  provides io.kqueue4j.filters.spi.ProcessExitSource with
      io.kqueue4j.linux.proc.PidFdProcessExitSource;
  provides io.kqueue4j.filters.spi.ProcessEventSource with
      io.kqueue4j.linux.proc.ProcConnectorEventSource;
  provides io.kqueue4j.filters.fsevent.FsEventSource with
      io.kqueue4j.linux.fsevent.InotifyFsEventSource,
      io.kqueue4j.linux.fsevent.FanotifyFsEventSource;
  provides io.kqueue4j.filters.vnode.VnodeSource with
      io.kqueue4j.linux.vnode.InotifyVnodeSource;
}
