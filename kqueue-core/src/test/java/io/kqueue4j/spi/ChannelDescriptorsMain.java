package io.kqueue4j.spi;

import java.io.FileDescriptor;
import java.nio.channels.Pipe;

/**
 * Run in a fresh JVM by {@link ChannelDescriptorsTest} with chosen flags: prints the mechanism for
 * {@code FileDescriptor} and for a pipe channel, and what {@link ProcFd} says of the two numbers
 * read from the pipe's ends; or the failure.
 */
public final class ChannelDescriptorsMain {

  private ChannelDescriptorsMain() {}

  public static void main(String[] args) throws Exception {
    Pipe pipe = Pipe.open();
    try (Pipe.SourceChannel source = pipe.source();
        Pipe.SinkChannel sink = pipe.sink()) {
      int in = ChannelDescriptors.of(source);
      int out = ChannelDescriptors.of(sink);
      System.out.println(
          "FileDescriptor="
              + ChannelDescriptors.mechanism(FileDescriptor.class)
              + " channel="
              + ChannelDescriptors.mechanism(source.getClass())
              + " pipe="
              + ProcFd.samePipe(in, out));
    } catch (UnsupportedOperationException e) {
      System.out.println("unsupported: " + e.getMessage());
    }
  }
}
