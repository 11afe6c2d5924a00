/**
 * kqueue4j benchmarks: JMH benchmarks, the harnesses that run each figure beside its peer, and the
 * report's plots. Run from the shaded jar on the class path; nothing is exported.
 */
module io.kqueue4j.benchmarks {
  requires io.kqueue4j;
  requires io.kqueue4j.filters;
  requires io.kqueue4j.linux;
  requires io.kqueue4j.samples;
  requires java.management;
  requires jdk.management;
  requires jmh.core;
  requires org.apache.commons.csv;
  requires org.knowm.xchart;
}
