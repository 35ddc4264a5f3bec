#!/usr/bin/env bash
# Starts N `reproduce` processes in the background that share one output folder (they split the runs between them;
# see Experiment's "Shareable"), each with nproc/N OpenMP threads, its own log OUT.workerK.log and a resident-memory
# sample OUT.workerK.rss. Rerun it to continue after the processes were stopped: finished runs are kept, interrupted
# ones resume from their checkpoints.
#   scripts/reproduce-workers.sh OUT [N] [reproduce options...]
# EDGEKD_JAR names the jar (default train/target/edgekd-train.jar); JAVA_OPTS the JVM options (default -Xmx2g).
set -euo pipefail
out=${1:?usage: scripts/reproduce-workers.sh OUT [N] [reproduce options...]}
shift
n=2
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then n=$1; shift; fi
(( n >= 1 )) || { echo "N: expected at least 1, found $n" >&2; exit 2; }
jar=${EDGEKD_JAR:-train/target/edgekd-train.jar}
[[ -f $jar ]] || { echo "$jar: not found; build it first (./mvnw -B -q -DskipTests package)" >&2; exit 2; }
threads=$(( $(nproc) / n )); (( threads >= 1 )) || threads=1
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
for k in $(seq 1 "$n"); do
  log="$out.worker$k.log"
  # shellcheck disable=SC2086
  OMP_NUM_THREADS=$threads ORT_DISABLE_TELEMETRY=1 nohup java ${JAVA_OPTS:--Xmx2g} -jar "$jar" reproduce --out "$out" "$@" >> "$log" 2>&1 &
  pid=$!
  echo "$pid" > "$out.worker$k.pid"
  nohup "$here/rss-sampler.sh" "$pid" "$out.worker$k.rss" 15 > /dev/null 2>&1 &
  echo "worker $k: pid $pid, $threads OpenMP threads, log $log"
  sleep 20 # the first worker claims the first run before the next one looks
done
