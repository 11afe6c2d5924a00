#!/bin/sh
# The README's main sample: kqwatch watches a fresh directory tree recursively (EVFILT_FSEVENT on
# one kqueue) while this script changes real files in it, then stops kqwatch with SIGTERM, which
# kqwatch receives through EVFILT_SIGNAL and answers by exiting 0.
# Usage: kqwatch-demo.sh CLASSPATH   (mvn -pl samples exec:exec passes it)
set -eu
cp="$1"
dir=$(mktemp -d "${TMPDIR:-/tmp}/kqwatch-demo.XXXXXX")
log="$dir.log"
trap 'rm -rf "$dir" "$log"' EXIT
java -cp "$cp" io.kqueue4j.samples.kqwatch.KqWatch --coalesce 0 --timeout 60s "$dir" 2>"$log" &
watcher=$!
i=0
until grep -q "kqwatch: watching" "$log" 2>/dev/null; do
  i=$((i + 1))
  if [ "$i" -gt 300 ] || ! kill -0 "$watcher" 2>/dev/null; then
    cat "$log" >&2
    exit 1
  fi
  sleep 0.1
done
echo "# kqwatch is watching $dir; changing files in it (\$ lines), kqwatch prints the rest:"
step() { echo "\$ $*"; sh -c "$*"; sleep 0.3; }
cd "$dir"
step 'mkdir -p src/main/java'
step 'echo "class A {}" > src/main/java/A.java'
step 'echo "// more" >> src/main/java/A.java'
step 'mv src/main/java/A.java src/main/java/B.java'
step 'chmod 600 src/main/java/B.java'
step 'rm -r src'
kill -TERM "$watcher"
status=0
wait "$watcher" || status=$?
if [ "$status" -ne 0 ]; then
  cat "$log" >&2
fi
echo "# kqwatch got SIGTERM through EVFILT_SIGNAL and exited with status $status"
exit "$status"
