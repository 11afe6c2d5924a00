/**
 * kqueue4j samples: kqwatch, the supervisor, the echo server and Multiplex. Programs, not API:
 * only the echo server is exported, for the benchmarks that drive it.
 */
module io.kqueue4j.samples {
  requires io.kqueue4j;
  requires io.kqueue4j.filters;
  requires info.picocli;

  exports io.kqueue4j.samples.echo;

  // picocli reads and sets the annotated fields of the commands by reflection
  opens io.kqueue4j.samples.kqwatch to info.picocli;
  opens io.kqueue4j.samples.supervisor to info.picocli;
}
