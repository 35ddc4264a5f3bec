#!/usr/bin/env bash
# Chooses the distillation recipe the quickstart and the reproduction use, on VALIDATION accuracy, with paired
# seeds: every variant trains the distilled + transfer student on the same seeds as the student alone, into one
# output folder, so the teacher and the student-alone runs are trained once and reused (edgekd keeps finished runs
# under OUT/runs/). Each variant's report.json is kept as OUT/variants/<name>.json; the summary goes to stdout.
#
#   scripts/recipe-study.sh [OUT] [SEEDS]      (default: recipe-study, 3)
set -euo pipefail
out=${1:-recipe-study}
seeds=${2:-3}
jar=train/target/edgekd-train.jar
[ -f "$jar" ] || { echo "build first: ./mvnw -B -q -DskipTests package" >&2; exit 2; }
mkdir -p "$out/variants"
run() { # name, extra flags...
  local name=$1; shift
  if [ ! -f "$out/variants/$name.json" ]; then
    ORT_DISABLE_TELEMETRY=1 java -jar "$jar" quickstart --quiet --out "$out" --seeds "$seeds" "$@" > "$out/variants/$name.log" 2>&1
    cp "$out/report.json" "$out/variants/$name.json"
  fi
}
run a0.9-t4 --alpha 0.9 --temperature 4
run a0.5-t4 --alpha 0.5 --temperature 4
run a0.5-t2 --alpha 0.5 --temperature 2
run a0.7-t4 --alpha 0.7 --temperature 4
run a0.5-t4-shift2 --alpha 0.5 --temperature 4 --shift 2
python3 - "$out/variants" <<'PY'
import json, os, sys
d = sys.argv[1]
print("| variant | alone val. acc | distilled+transfer val. acc | paired test gain (mean [95% CI]) |")
print("|---|---:|---:|---|")
for f in sorted(os.listdir(d)):
    if not f.endswith(".json"):
        continue
    r = json.load(open(os.path.join(d, f)))
    m = {x["name"]: x for x in r["models"]}
    g = r.get("kdGain", {})
    lo, hi = g.get("low"), g.get("high")
    ci = "n/a" if lo is None else f"[{100*lo:+.2f}, {100*hi:+.2f}]"
    print(f"| {f[:-5]} | {100*m['student']['validationAccuracy']:.2f} | {100*m['student-kd-transfer']['validationAccuracy']:.2f} | "
          f"{100*g.get('mean', float('nan')):+.2f} {ci} |")
PY
