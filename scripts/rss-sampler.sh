#!/usr/bin/env bash
# Samples a process's resident memory every few seconds until it ends; prints the peak at the end.
#   scripts/rss-sampler.sh PID LOG [SECONDS]
set -euo pipefail
pid=$1; log=$2; every=${3:-10}
peak=0
while kill -0 "$pid" 2>/dev/null; do
  kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
  [ -n "$kb" ] || kb=0
  (( kb > peak )) && peak=$kb
  printf '%s %d\n' "$(date -u +%FT%TZ)" "$kb" >> "$log"
  sleep "$every"
done
awk -v k="$peak" 'BEGIN { printf "peak %d kB (%.2f GiB)\n", k, k / 1048576 }' >> "$log"
