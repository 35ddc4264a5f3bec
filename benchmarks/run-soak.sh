#!/usr/bin/env bash
# A million classifications on one classifier, printing resident memory: benchmarks/run-soak.sh [frames] [model]
set -euo pipefail
cd "$(dirname "$0")"
export ORT_DISABLE_TELEMETRY=1
CP="target/classes:$(cat target/classpath.txt)"
exec java -Xmx256m -cp "$CP" io.edgekd.bench.Soak "$@"
