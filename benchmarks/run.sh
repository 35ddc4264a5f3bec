#!/usr/bin/env bash
# Runs the JMH benchmarks. Build first: ./mvnw -B -q -DskipTests package (from the project root).
#   benchmarks/run.sh                                   # everything, with defaults
#   benchmarks/run.sh EdgeClassifierBenchmark -prof gc  # one class, with allocation per call
# Arguments go to JMH (org.openjdk.jmh.Main); -h lists them.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -f target/classpath.txt ] || [ ! -d target/classes/META-INF ]; then
  echo "benchmarks are not built: run ./mvnw -B -q -DskipTests package in the project root first" >&2
  exit 2
fi
export ORT_DISABLE_TELEMETRY=1
CP="target/classes:$(cat target/classpath.txt)"
# Export the benchmark models once, before JMH forks start.
java -cp "$CP" io.edgekd.bench.BenchModels >/dev/null
exec java -cp "$CP" org.openjdk.jmh.Main "$@"
