/** kqueue4j: BSD kqueue/kevent for the JVM. */
module io.kqueue4j {
  requires org.jctools.core;
  requires jdk.unsupported; // sun.misc.Unsafe in ChannelDescriptors, when reflection is refused

  exports io.kqueue4j;
  exports io.kqueue4j.kernel;
  exports io.kqueue4j.spi;

  uses io.kqueue4j.kernel.FilterProvider;
  uses io.kqueue4j.spi.DescriptorSupport;
  uses io.kqueue4j.spi.NativeKQueueProvider;
}
