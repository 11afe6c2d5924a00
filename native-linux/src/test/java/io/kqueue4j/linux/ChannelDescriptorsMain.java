package io.kqueue4j.linux;

import java.io.FileDescriptor;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;

/**
 * Run in a fresh JVM by {@link ChannelDescriptorsTest} with chosen flags: prints the mechanism for
 * {@code FileDescriptor} and for a pipe channel, and the bytes FIONREAD sees on the extracted
 * source descriptor after 3 bytes went through the JDK's sink; or the failure.
 */
public final class ChannelDescriptorsMain {

  private ChannelDescriptorsMain() {}

  public static void main(String[] args) throws Exception {
    Pipe pipe = Pipe.open();
    try (Pipe.SourceChannel source = pipe.source();
        Pipe.SinkChannel sink = pipe.sink()) {
      sink.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
      int fd = ChannelDescriptors.of(source);
      System.out.println(
          "FileDescriptor="
              + ChannelDescriptors.mechanism(FileDescriptor.class)
              + " channel="
              + ChannelDescriptors.mechanism(source.getClass())
              + " fionread="
              + LibC.availableBytes(fd));
    } catch (UnsupportedOperationException e) {
      System.out.println("unsupported: " + e.getMessage());
    }
  }
}
