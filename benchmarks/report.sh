#!/usr/bin/env bash
# Runs every comparison of issue 9 and regenerates the benchmark report's data and plots:
#   docs/benchmarks/results.csv    one row per comparison, per-fork figures included
#   docs/benchmarks/*.png          ratios.png and one target-N.png per target
# Usage: benchmarks/report.sh [forks]   (default 5; needs `mvn install -DskipTests` first)
# The figures in docs/benchmarks.md are copied from the table this prints.
set -euo pipefail
cd "$(dirname "$0")/.."
forks="${1:-5}"
jar=benchmarks/target/benchmarks.jar
[ -f "$jar" ] || { echo "report: $jar is missing; run: mvn install -DskipTests" >&2; exit 1; }
out=docs/benchmarks
mkdir -p "$out"
java -cp "$jar" io.kqueue4j.benchmarks.Compare --forks "$forks" --out "$out/results.csv" \
  | tee "$out/compare-output.txt"
java -cp "$jar" io.kqueue4j.benchmarks.report.ReportPlots "$out/results.csv" "$out"
