#!/usr/bin/env bash
# Starts N `reproduce` processes in the background that share one output folder (they split the runs between them;
# see Experiment's "Shareable"), each with (cores / N) OpenMP threads, its own log OUT.workerK.log and a
# resident-memory sample OUT.workerK.rss. Each process is a JVM of its own (JAVA_OPTS, default -Xmx2g, plus ND4J's
# off-heap memory: about 2.5-3.5 GB resident per process for the full Fashion-MNIST run). Rerun it to continue after the
# processes were stopped: finished runs are kept, interrupted ones resume from their checkpoints.
#   scripts/reproduce-workers.sh OUT [N] [reproduce options...]
# EDGEKD_JAR names the jar (default: this checkout's train/target/edgekd-train.jar).
set -euo pipefail
out=${1:?usage: scripts/reproduce-workers.sh OUT [N] [reproduce options...]}
out=${out%/}
shift
n=2
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then n=$((10#$1)); shift; fi
(( n >= 1 )) || { echo "N: expected at least 1, found $n" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
jar=${EDGEKD_JAR:-$here/../train/target/edgekd-train.jar}
[[ -f $jar ]] || { echo "$jar: not found; build it first (./mvnw -B -q -DskipTests package)" >&2; exit 2; }
for k in $(seq 1 "$n"); do
  if [[ -f $out.worker$k.pid ]] && kill -0 "$(cat "$out.worker$k.pid")" 2>/dev/null; then
    echo "worker $k (pid $(cat "$out.worker$k.pid")) is still running into $out: stop it first (kill $(cat "$out.worker$k.pid"))" >&2
    exit 2
  fi
done
cores=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)
threads=$(( cores / n )); (( threads >= 1 )) || threads=1
mkdir -p "$out"
for k in $(seq 1 "$n"); do
  log="$out.worker$k.log"
  # shellcheck disable=SC2086
  OMP_NUM_THREADS=$threads ORT_DISABLE_TELEMETRY=1 nohup java ${JAVA_OPTS:--Xmx2g} -jar "$jar" reproduce --out "$out" "$@" >> "$log" 2>&1 &
  pid=$!
  echo "$pid" > "$out.worker$k.pid"
  nohup "$here/rss-sampler.sh" "$pid" "$out.worker$k.rss" 15 > /dev/null 2>&1 &
  echo "worker $k: pid $pid, $threads OpenMP threads, log $log"
  (( k == n )) || sleep 20 # the first worker claims the first run before the next one looks
done
