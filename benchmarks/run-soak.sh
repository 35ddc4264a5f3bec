#!/usr/bin/env bash
# A million classifications on one classifier, printing resident memory: benchmarks/run-soak.sh [frames] [model]
set -euo pipefail
cd "$(dirname "$0")"
export ORT_DISABLE_TELEMETRY=1
CP="target/classes:$(cat target/classpath.txt)"
# A fixed, pre-touched heap: heap pages first touched mid-run would otherwise show up as RSS growth.
exec java -Xms64m -Xmx64m -XX:+AlwaysPreTouch -cp "$CP" io.edgekd.bench.Soak "$@"
