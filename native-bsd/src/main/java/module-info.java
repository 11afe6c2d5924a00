/** kqueue4j native backend: passthrough to kqueue(2)/kevent(2) through JNR-FFI. */
module io.kqueue4j.bsd {
  requires io.kqueue4j;
  requires io.kqueue4j.filters;
  requires org.jnrproject.ffi;

  exports io.kqueue4j.bsd;
  exports io.kqueue4j.bsd.fsevent;

  provides io.kqueue4j.spi.NativeKQueueProvider with io.kqueue4j.bsd.BsdKQueueProvider;
  provides io.kqueue4j.spi.DescriptorSupport with
      io.kqueue4j.bsd.descriptor.PosixDescriptorSupport;
  provides io.kqueue4j.filters.fsevent.FsEventSource with
      io.kqueue4j.bsd.fsevent.VnodeFsEventSource;
}
