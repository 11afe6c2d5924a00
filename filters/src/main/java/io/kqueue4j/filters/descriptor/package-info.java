/**
 * {@code EVFILT_READ} and {@code EVFILT_WRITE} on descriptors that are not kqueues: sockets, pipes,
 * FIFOs, files and devices, with FreeBSD's meaning of every field.
 *
 * <h2>Structure</h2>
 *
 * The kernel's descriptor trampoline hands such a knote to {@link
 * io.kqueue4j.filters.descriptor.DescriptorFilterProvider}'s read or write filter ({@code
 * fo_kqfilter}). The filter finds the descriptor's {@code WatchedDescriptor} (one per descriptor,
 * shared by every knote in every kqueue: the object's {@code si_note} lists) and the {@link
 * io.kqueue4j.filters.descriptor.DescriptorWatch} a {@link
 * io.kqueue4j.filters.descriptor.ReadinessSource} made for it. The source reports changes from its
 * own thread through {@link io.kqueue4j.filters.descriptor.ReadinessListener} ({@code KNOTE}); the
 * filter turns the facts of a {@link io.kqueue4j.filters.descriptor.Readiness} probe into {@code
 * data}, {@code EV_EOF}, {@code fflags} and readiness by the rules of the FreeBSD filter of that
 * {@link io.kqueue4j.filters.descriptor.DescriptorKind}. Every delivery re-probes, so {@code data}
 * is always current, and a level-triggered knote stays queued exactly while its condition holds.
 *
 * <h2>Rules (modern FreeBSD)</h2>
 *
 * <table>
 *   <caption>EVFILT_READ and EVFILT_WRITE by object</caption>
 *   <tr><th>object</th><th>EVFILT_READ</th><th>EVFILT_WRITE</th></tr>
 *   <tr><td>socket ({@code filt_soread}, {@code filt_sowrite})</td>
 *       <td>{@code data} = bytes readable; {@code EV_EOF} + {@code fflags} = socket error once the
 *       peer shut down; ready on a pending error, at {@code data >= sdata} with {@code NOTE_LOWAT},
 *       else at the socket's {@code SO_RCVLOWAT} (a stream: 1 byte unless set) or with one
 *       datagram</td>
 *       <td>{@code data} = send buffer space; {@code EV_EOF} + {@code fflags} once nothing can be
 *       sent; never before a stream socket is connected; with {@code NOTE_LOWAT} only at {@code
 *       data >= sdata}</td></tr>
 *   <tr><td>listening socket ({@code filt_soread}, {@code filt_sowrite})</td>
 *       <td>{@code data} = connections ready to accept</td><td>never</td></tr>
 *   <tr><td>pipe, FIFO ({@code filt_piperead}, {@code filt_pipewrite})</td>
 *       <td>{@code data} = bytes buffered; {@code EV_EOF} when no writer is left (cleared on a
 *       FIFO when one returns); {@code NOTE_LOWAT} ignored; never on a write-only end</td>
 *       <td>{@code data} = free space; {@code EV_EOF}, {@code data} 0, when no reader is left;
 *       registering on a pipe whose reader is gone fails with {@code EPIPE}; never on a read-only
 *       end</td></tr>
 *   <tr><td>file, directory ({@code filt_vfsread}, {@code filt_vfswrite})</td>
 *       <td>{@code data} = size - offset (negative past the end); ready while not 0, always with
 *       {@code NOTE_FILE_POLL}</td><td>always, {@code data} 0</td></tr>
 *   <tr><td>other (devices, eventfd, ...)</td><td>as the OS's poll says; {@code data} = {@code
 *       FIONREAD} where it answers</td><td>as the OS's poll says</td></tr>
 * </table>
 *
 * <h2>Sources</h2>
 *
 * {@link io.kqueue4j.filters.descriptor.ReadinessSources#activeName()} names the source in use:
 *
 * <ul>
 *   <li>{@code linux-epoll} (module {@code native-linux}): one edge-triggered epoll instance and one
 *       thread for the whole process, inotify for files; real descriptors. Its Linux facts and
 *       their limits are listed in {@code io.kqueue4j.linux.descriptor}.
 *   <li>{@code portable-selector} ({@link io.kqueue4j.filters.descriptor.SelectorReadinessSource},
 *       with {@link io.kqueue4j.filters.descriptor.SelectorDescriptors}): the fallback where no
 *       native source exists. It watches JDK channels only, through one JDK {@code Selector} and one
 *       thread, and its descriptors are tokens, not OS descriptors. See its documentation for what
 *       it cannot know.
 * </ul>
 *
 * <h2>Locks</h2>
 *
 * A knote list's lock guards its knotes' fields; {@code DescriptorWatch.probe} runs under it. The
 * registry of watched descriptors has one lock, taken alone or inside a list's lock (by {@code
 * touch} on {@code EV_ADD}), never around one. Sources post with no lock held.
 */
package io.kqueue4j.filters.descriptor;
