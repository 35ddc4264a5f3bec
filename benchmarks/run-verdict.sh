#!/usr/bin/env bash
# The 20 ms verdict: edgekd against the floor and every peer, at camera input sizes, then the report.
#   benchmarks/run-verdict.sh quick [OUT]   # every benchmark once, briefly (CI): 1 fork, 1 short iteration
#   benchmarks/run-verdict.sh full  [OUT]   # the committed run (~50 min on 2 cores); report into benchmarks/results/
#   benchmarks/run-verdict.sh paired [OUT]  # only the side-by-side pairs (~10 min), added to OUT's results; report again
#   benchmarks/run-verdict.sh int8 [OUT]    # only int8 against float32 (~10 min), added to OUT's results; report again
# Build first: ./mvnw -B -q -DskipTests package (or -pl benchmarks -am). OUT defaults to benchmarks/target/verdict-<profile>.
#
# Which parameter combinations run (JMH would otherwise cross every @Param):
#   - student at 1x28x28, 3x96x96, 3x160x160, 3x224x224, 1 thread: edgekd (preprocessed, raw 640x480 frame with Java
#     and with fused preprocessing), the floor, ORT the usual way, DJL, DL4J, OpenCV DNN;
#   - MobileNetV2 reference (3x224x224), 1 thread: edgekd, floor, ORT usual, DJL, OpenCV (it is no DL4J network);
#   - threads 2 and 4 for edgekd and the floor only, student at 3x96x96 and 3x224x224 and MobileNetV2;
#   - classes 2, 3, 5 (10 above) for edgekd and the floor at 1x28x28 and 3x224x224;
#   - teacher at the four sizes, edgekd and the floor;
#   - int8 (symmetric and unsigned activations) against float32: the student at the four sizes, 1 and 2 threads, and
#     the teacher at 1x28x28 and 3x224x224 (summary.json: int8Us, int8Bytes, int8UnsignedUs, ...).
# Full: each combination twice in AverageTime (-prof gc and direct memory), the two rounds run one after the
# other so that load from other processes falls on both sides of each comparison, then once in SampleTime (p50/p99),
# then the ratio targets side by side (PairedBenchmark: both sides at once, one thread each), twice: on a loaded
# machine, load that changes between two benchmarks run one after the other swamps a few percent.
set -euo pipefail
cd "$(dirname "$0")"
PROFILE="${1:-quick}"
OUT="${2:-target/verdict-$PROFILE}"
if [ ! -f target/classpath.txt ] || [ ! -d target/classes/META-INF ]; then
  echo "benchmarks are not built: run ./mvnw -B -q -DskipTests package in the project root first" >&2
  exit 2
fi
# ONNX Runtime 1.29's telemetry crashes JVMs with long command lines (see benchmarks/README.md); DL4J at 1 thread.
export ORT_DISABLE_TELEMETRY=1
export OMP_NUM_THREADS=1
CP="target/classes:$(cat target/classpath.txt)"
JAVA=(java -Xss4m -cp "$CP")
mkdir -p "$OUT"
if [ "$PROFILE" != paired ] && [ "$PROFILE" != int8 ]; then
  rm -f "$OUT"/*.json "$OUT"/*.log "$OUT"/load.txt
  { lscpu; echo; free -m; echo; java -version 2>&1; } > "$OUT/machine.txt"
fi

SIZES=(1x28x28 3x96x96 3x160x160 3x224x224)
ORT="EdgeClassifierBenchmark\.(bareSessionRun|classifyPreprocessed|classifyCameraFrame|classifyCameraFrameFused|ortUsualWay)$"
PAIR="EdgeClassifierBenchmark\.(bareSessionRun|classifyPreprocessed)$"
PEERS="DjlBenchmark|Dl4jBenchmark|OpenCvDnnBenchmark"

case "$PROFILE" in
  quick)
    AVG=(-bm avgt -f 1 -wi 1 -w 100ms -i 1 -r 200ms)
    SAMPLE=(-bm sample -f 1 -wi 0 -i 1 -r 200ms)
    ROUNDS=1
    ;;
  full|paired|int8)
    AVG=(-bm avgt -f 1 -wi 3 -w 1s -i 4 -r 1s)
    SAMPLE=(-bm sample -f 1 -wi 2 -w 1s -i 3 -r 1s)
    PAIRED=(-bm avgt -f 1 -wi 3 -w 1s -i 5 -r 1s)
    ROUNDS=2
    ;;
  *) echo "usage: run-verdict.sh quick|full|paired|int8 [OUT]" >&2; exit 2 ;;
esac
PROF=(-prof gc -prof io.edgekd.bench.DirectMemoryProfiler)

models=(mobilenetv2:3x224x224:1000)
for s in "${SIZES[@]}"; do models+=("student:$s:10" "teacher:$s:10"); done
for k in 2 3 5; do models+=("student:1x28x28:$k" "student:3x224x224:$k"); done
[ "$PROFILE" = quick ] && models=(mobilenetv2:3x224x224:1000 student:1x28x28:10 student:1x28x28:2 student:3x224x224:10 student:3x224x224:2)
echo "== models"
"${JAVA[@]}" io.edgekd.bench.BenchModels "${models[@]}" 2>/dev/null | grep MACs
# File sizes for the report (float32 against int8).
(cd target/bench-models && stat -c '%n %s' -- *.onnx) > "$OUT/model-bytes.txt"

n=$(find "$OUT" -maxdepth 1 -name '*.json' | wc -l)
jmh() { # NAME MODE-ARGS... -- JMH-ARGS...
  local name="$1"; shift
  n=$((n + 1))
  local file="$OUT/$(printf %03d $n)-$name.json"
  echo "== $(date -u +%H:%M:%S) $name"
  echo "$(date -u +%H:%M:%S) $name $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/load.txt"
  # JMH's lock (/tmp/jmh.lock) is machine-wide: on a shared machine another user's run would stop this one.
  "${JAVA[@]}" -Djmh.ignoreLock=true org.openjdk.jmh.Main -tu us -rf json -rff "$file" "$@" > "${file%.json}.log" 2>&1 \
    || { echo "JMH failed, see ${file%.json}.log" >&2; tail -20 "${file%.json}.log" >&2; exit 1; }
}

int8_runs() { # NAME-PREFIX JMH-ARGS...: int8 (symmetric, and unsigned activations) against float32, same invocation
  local prefix="$1"; shift
  for s in "${SIZES[@]}"; do
    jmh "$prefix-int8-student-$s" "$@" 'EdgeClassifierBenchmark\.classifyPreprocessed$' -p model=student -p input="$s" \
      -p classes=10 -p threads=1,2 -p precision=float32,int8,int8-unsigned
  done
  for s in 1x28x28 3x224x224; do
    jmh "$prefix-int8-teacher-$s" "$@" 'EdgeClassifierBenchmark\.classifyPreprocessed$' -p model=teacher -p input="$s" \
      -p classes=10 -p threads=1 -p precision=float32,int8,int8-unsigned
  done
}

if [ "$PROFILE" = int8 ]; then
  int8_runs int8 "${AVG[@]}" "${PROF[@]}"
fi
if [ "$PROFILE" = quick ]; then
  # Every benchmark method once, and the paths the full run takes through sizes, models, classes and threads.
  jmh all "${AVG[@]}" "${PROF[@]}" 'EdgeClassifierBenchmark|DjlBenchmark|Dl4jBenchmark|OpenCvDnnBenchmark'
  jmh camera "${AVG[@]}" "$ORT" -p input=3x224x224
  jmh mobilenetv2 "${AVG[@]}" "$PAIR" -p model=mobilenetv2 -p input=3x224x224 -p threads=1,2
  jmh classes "${AVG[@]}" "$PAIR" -p classes=2
  jmh sample "${SAMPLE[@]}" "$PAIR"
  jmh paired "${AVG[@]}" 'PairedBenchmark' -p input=3x224x224
  jmh int8 "${AVG[@]}" 'EdgeClassifierBenchmark\.(classifyPreprocessed|bareSessionRun)$' -p model=student -p input=3x224x224 \
    -p threads=1 -p precision=int8,int8-unsigned
fi
if [ "$PROFILE" = full ]; then
  for mode in avgt sample; do
    rounds=$ROUNDS; args=("${AVG[@]}" "${PROF[@]}")
    [ $mode = sample ] && { rounds=1; args=("${SAMPLE[@]}"); }
    for ((r = 1; r <= rounds; r++)); do
      for s in "${SIZES[@]}"; do
        jmh "$mode-r$r-student-$s" "${args[@]}" "$ORT|$PEERS" -p model=student -p input="$s" -p classes=10 -p threads=1
      done
      jmh "$mode-r$r-mobilenetv2" "${args[@]}" "$ORT|DjlBenchmark|OpenCvDnnBenchmark" -e classifyCameraFrameFused \
        -p model=mobilenetv2 -p input=3x224x224 -p classes=1000 -p threads=1
      for s in 3x96x96 3x224x224; do
        jmh "$mode-r$r-threads-student-$s" "${args[@]}" "$PAIR" -p model=student -p input="$s" -p classes=10 -p threads=2,4
      done
      jmh "$mode-r$r-threads-mobilenetv2" "${args[@]}" "$PAIR" -p model=mobilenetv2 -p input=3x224x224 -p classes=1000 -p threads=2,4
      for s in 1x28x28 3x224x224; do
        jmh "$mode-r$r-classes-$s" "${args[@]}" "$PAIR" -p model=student -p input="$s" -p classes=2,3,5 -p threads=1
      done
      for s in "${SIZES[@]}"; do
        jmh "$mode-r$r-teacher-$s" "${args[@]}" "$PAIR" -p model=teacher -p input="$s" -p classes=10 -p threads=1
      done
      if [ $mode = avgt ]; then int8_runs "$mode-r$r" "${args[@]}"; fi
    done
  done
fi
if [ "$PROFILE" = full ] || [ "$PROFILE" = paired ]; then
  # The ratio targets side by side: edgekd against the floor, DJL and DL4J; the raw frame against the floor; 10 and 2
  # classes; the student against MobileNetV2.
  for ((r = 1; r <= ROUNDS; r++)); do
    for s in "${SIZES[@]}"; do
      jmh "paired-r$r-$s" "${PAIRED[@]}" 'PairedBenchmark\.(runtime|reference|djl|dl4j)$' -p model=student -p input="$s" -p classes=10
    done
    jmh "paired-r$r-frame" "${PAIRED[@]}" 'PairedBenchmark\.(frame|frameFused)$' -p model=student -p input=3x224x224 -p classes=10
    for s in 1x28x28 3x224x224; do
      jmh "paired-r$r-classes-$s" "${PAIRED[@]}" 'PairedBenchmark\.classes$' -p model=student -p input="$s" -p classes=10
    done
  done
fi

echo "== $(date -u +%H:%M:%S) report"
REPORT_ARGS=("$OUT")
if [ "$PROFILE" != quick ]; then
  REPORT_ARGS+=(--machine "${EDGEKD_MACHINE:-$(hostname -s)}" --out results --command "${VERDICT_COMMAND:-benchmarks/run-verdict.sh $PROFILE}")
else
  REPORT_ARGS+=(--machine quick --out "$OUT" --command "benchmarks/run-verdict.sh quick" --require-all)
fi
"${JAVA[@]}" io.edgekd.bench.VerdictReport "${REPORT_ARGS[@]}"
