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
jar=${JAR:-train/target/edgekd-train.jar}
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
# Second round: a longer student schedule, with and without shifts (Beyer et al. 2022: patient, consistent teaching).
run a0.7-t4-e8 --alpha 0.7 --temperature 4 --epochs 8
run a0.7-t4-e8-shift2 --alpha 0.7 --temperature 4 --epochs 8 --shift 2   # stopped after its first distilled student: too slow for the quickstart (README)
run a0.7-t4-e4 --alpha 0.7 --temperature 4 --epochs 4
python3 - "$out/variants" <<'PY'
import json, math, os, sys
# Paired validation difference (distilled + transfer - alone, same seeds) with a 95% Student-t interval.
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}
def paired(a, b):
    d = [y - x for x, y in zip(a, b)]
    n = len(d); m = sum(d) / n
    if n < 2:
        return m, None, None
    sd = math.sqrt(sum((x - m) ** 2 for x in d) / (n - 1)); h = T95.get(n - 1, 1.96) * sd / math.sqrt(n)
    return m, m - h, m + h
d = sys.argv[1]
print("| variant | alone val. acc | distilled+transfer val. acc | paired val. gain (mean [95% CI], worst seed) | paired test gain |")
print("|---|---:|---:|---|---:|")
for f in sorted(os.listdir(d)):
    if not f.endswith(".json"):
        continue
    r = json.load(open(os.path.join(d, f)))
    m = {x["name"]: x for x in r["models"]}
    a, k = m["student"], m["student-kd-transfer"]
    va, vk = a.get("validationAccuracies"), k.get("validationAccuracies")
    if va and vk:
        g, lo, hi = paired(va, vk)
        worst = min(y - x for x, y in zip(va, vk))
        ci = "n/a" if lo is None else f"[{100*lo:+.2f}, {100*hi:+.2f}]"
        val = f"{100*g:+.2f} {ci}, worst {100*worst:+.2f}"
    else:
        val = "n/a"
    print(f"| {f[:-5]} | {100*a['validationAccuracy']:.2f} | {100*k['validationAccuracy']:.2f} | {val} | "
          f"{100*r.get('kdGain', {}).get('mean', float('nan')):+.2f} |")
PY
