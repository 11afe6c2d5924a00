package io.kqueue4j.linux.descriptor;

import static io.kqueue4j.KEvent.EVFILT_READ;
import static io.kqueue4j.KEvent.EV_ADD;

import io.kqueue4j.FileDescriptors;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.filters.descriptor.ReadinessSources;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Run in a fresh JVM by {@link ForeignOsDescriptorsTest}: first readies the JDK's own channel and
 * selector classes, which read {@code os.name} when they initialize, then sets {@code os.name} to
 * {@code Windows} before anything of jnr-ffi loads, so that jnr-ffi (which reads it once) sees
 * another OS. Then initializes every class of this package and prints, one per line, why the Linux
 * support and source are unavailable, whether {@code unix_diag} ({@link SockDiag}) is, which
 * support and source were chosen instead, and what a pipe registered through them reports.
 */
public final class ForeignOsDescriptorsMain {

  private ForeignOsDescriptorsMain() {}

  public static void main(String[] args) throws Exception {
    readyTheJdk();
    System.setProperty("os.name", "Windows");
    List<String> classes = classesOfThisPackage();
    for (String name : classes) {
      Class.forName(name, true, ForeignOsDescriptorsMain.class.getClassLoader());
    }
    System.out.println("initialized " + classes);
    System.out.println("linux " + new LinuxDescriptorSupport().unavailabilityCause());
    System.out.println("linux-epoll " + new EpollReadinessSource().unavailabilityCause());
    System.out.println("sock_diag " + SockDiag.availability().isAvailable() + " "
        + SockDiag.availability().cause());
    System.out.println("support " + FileDescriptors.support());
    System.out.println(
        "source " + ReadinessSources.activeName() + " fallback " + ReadinessSources.isFallback());
    Pipe pipe = Pipe.open();
    try (KQueue kq = KQueue.emulated();
        Pipe.SourceChannel source = pipe.source();
        Pipe.SinkChannel sink = pipe.sink()) {
      int fd = FileDescriptors.of(source);
      kq.kevent(new KEvent[] {KEvent.of(fd, EVFILT_READ, EV_ADD, 0, 0, null)}, null,
          Duration.ZERO);
      sink.write(ByteBuffer.allocate(3));
      KEvent[] out = new KEvent[1];
      int n = kq.kevent(null, out, Duration.ofSeconds(10));
      System.out.println(n == 1 && out[0].ident() == fd && out[0].filter() == EVFILT_READ
          ? "pipe readable" : "no event: " + n);
    }
  }

  /** Initializes the JDK classes the selector fallback uses while {@code os.name} is still true. */
  private static void readyTheJdk() throws Exception {
    Pipe pipe = Pipe.open();
    try (Selector selector = Selector.open();
        Pipe.SourceChannel source = pipe.source();
        Pipe.SinkChannel sink = pipe.sink();
        SocketChannel socket = SocketChannel.open();
        DatagramChannel datagram = DatagramChannel.open()) {
      source.configureBlocking(false);
      source.register(selector, SelectionKey.OP_READ);
      sink.write(ByteBuffer.allocate(1));
      selector.selectNow();
      socket.supportedOptions();
      datagram.supportedOptions();
    }
  }

  /** The main classes of this package, from the directory or jar that holds them. */
  private static List<String> classesOfThisPackage() throws Exception {
    URI location =
        LinuxDescriptorSupport.class.getProtectionDomain().getCodeSource().getLocation().toURI();
    String dir = LinuxDescriptorSupport.class.getPackageName().replace('.', '/');
    Path root = Path.of(location);
    if (Files.isDirectory(root)) {
      return list(root, root.resolve(dir));
    }
    try (FileSystem jar = FileSystems.newFileSystem(root, Map.of())) {
      return list(jar.getPath("/"), jar.getPath(dir));
    }
  }

  private static List<String> list(Path root, Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> root.relativize(p).toString())
          .filter(name -> name.endsWith(".class") && !name.endsWith("package-info.class"))
          .map(name -> name.substring(0, name.length() - ".class".length()).replace('/', '.'))
          .sorted()
          .collect(Collectors.toList());
    }
  }
}
