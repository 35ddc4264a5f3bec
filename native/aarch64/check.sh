#!/usr/bin/env bash
# Proves the edge runtime correct on aarch64 CPUs, emulated with qemu-user on an x86_64 Debian machine (as root):
#   a. runtime-edge's test suite under the arm64 JVM (Surefire -Djvm=...), QEMU_CPU=cortex-a72 (Raspberry Pi 4);
#   b. a JMH smoke run of EdgeClassifierBenchmark (1 fork, 1 iteration of 1 s), cortex-a72;
#   c. the trained student native/aarch64/student-fashion-sample.onnx classifies the 1,000 test images of
#      data/fashion-mnist-sample on x86_64 and under cortex-a72, cortex-a57 (Jetson Nano) and cortex-a76
#      (Raspberry Pi 5); every probability must match x86_64 within 1e-5 and every top-1 class must be the same.
#      The cortex-a76 run loads edgekd and ONNX Runtime from the slim device jar (native/device: linux-aarch64
#      natives only), so the package that ships is the one proven. Its int8 twin (student-fashion-sample-int8.onnx,
#      symmetric QDQ) does the same under cortex-a72 (NEON int8 kernels) and cortex-a76 (dot-product kernels), with
#      the same tolerance: measured 2.4e-7, the integer arithmetic is the same on both architectures;
#   d. the camera demo (examples/target/edgekd-camera.jar, its linux-arm64 FFmpeg) runs headless under cortex-a72 on
#      a 40-frame 640x480 lossless video made by SampleVideo --lossless (FFV1: decoding gives the drawn bytes
#      exactly, on both FFmpeg builds), writes an H.264 MP4 and a --log; every frame's top-1 label must equal the
#      x86_64 run's and every probability be within 1e-5 of it, and the MP4 must decode back to 40 frames.
#
# Emulation proves correctness, never speed: under qemu a frame takes ~100 times longer than on this x86_64 host,
# and the JMH numbers it prints say nothing about a Pi or a Jetson.
#
# Usage: native/aarch64/check.sh [--no-build] [--skip surefire|jmh|probabilities|camera]... [--cpus "cortex-a72 ..."]
#   --no-build   use what is already built (after ./mvnw verify, as in .ci/run) instead of packaging first
# Environment: EDGEKD_AARCH64_CACHE, EDGEKD_ARM_CPUINFO (see sysroot.sh); MVN_ARGS (extra Maven arguments,
# e.g. -o); EDGEKD_ARM_TOLERANCE (default 1e-5); EDGEKD_ARM_JOBS (emulated classification runs at once,
# default the core count); EDGEKD_ARM_TESTS (Surefire -Dtest pattern, default every
# runtime-edge test: io/edgekd/runtime/**).
# Exit status: 0 all green, 1 a check failed, 2 the emulated JVM cannot be set up here (one line says why).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"

build=1
skip=" "
cpus="cortex-a72 cortex-a57 cortex-a76"
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --skip) [ $# -ge 2 ] || { echo "aarch64: --skip needs one of surefire, jmh, probabilities, camera" >&2; exit 2; }
      case "$2" in surefire|jmh|probabilities|camera) skip="$skip$2 " ;;
        *) echo "aarch64: --skip: expected surefire, jmh, probabilities or camera, found '$2'" >&2; exit 2 ;; esac
      shift ;;
    --cpus) [ $# -ge 2 ] || { echo "aarch64: --cpus needs a list such as \"cortex-a72 cortex-a57\"" >&2; exit 2; }
      cpus="$2"; shift ;;
    -h|--help) sed -n '2,/^[^#]/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "aarch64: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
skipped() { case "$skip" in *" $1 "*) return 0 ;; esac; return 1; }

tolerance="${EDGEKD_ARM_TOLERANCE:-1e-5}"
MODEL="$ROOT/native/aarch64/student-fashion-sample.onnx"
MODEL_INT8="$ROOT/native/aarch64/student-fashion-sample-int8.onnx"
DATA="$ROOT/data/fashion-mnist-sample"
WORK="$ROOT/native/checks/target/aarch64"
mkdir -p "$WORK"
export ORT_DISABLE_TELEMETRY=1

t_start=$(date +%s)
stamp() { echo $(( $(date +%s) - $1 )); }
times=""

t=$(date +%s)
JAVA_ARM="$("$ROOT/native/aarch64/sysroot.sh" | tail -n1)"
times="$times setup=$(stamp "$t")s"

# shellcheck disable=SC2086
mvn() { "$ROOT/mvnw" -B -q ${MVN_ARGS:-} "$@"; }
if [ "$build" = 1 ]; then
  t=$(date +%s)
  mvn -pl native/checks,native/device,benchmarks -am -DskipTests package
  times="$times build=$(stamp "$t")s"
fi
SLIM="$ROOT/native/device/target/edgekd-classify-linux-arm64.jar"
CAMERA="$ROOT/examples/target/edgekd-camera.jar"
for f in native/checks/target/classpath.txt benchmarks/target/classpath.txt native/checks/target/classes/io/edgekd/platform/ProbabilityDump.class "$SLIM" "$CAMERA"; do
  [ -f "$f" ] || { echo "aarch64: $f is missing: build first (./mvnw -B -pl native/checks,native/device,benchmarks -am -DskipTests package) or drop --no-build" >&2; exit 2; }
done

failed=""

# --- a. runtime-edge's tests on the arm64 JVM -------------------------------------------------------------
if ! skipped surefire; then
  t=$(date +%s)
  echo "aarch64: runtime-edge tests under the arm64 JVM (cortex-a72)"
  # Reactor-style (-am) so that runtime-edge tests against this tree's core, not a snapshot in ~/.m2; -Dtest
  # keeps core's own tests out. Every runtime-edge test runs: none needs more than the CPU provider.
  # Only the reports this run writes count (the x86_64 run of ./mvnw verify leaves its own in the same folder).
  reports=runtime-edge/target/surefire-reports
  touch "$WORK/surefire.start"
  if QEMU_CPU=cortex-a72 mvn -pl runtime-edge -am test -Djvm="$JAVA_ARM" \
      -Dtest="${EDGEKD_ARM_TESTS:-io/edgekd/runtime/**}" -Dsurefire.failIfNoSpecifiedTests=false >"$WORK/surefire.log" 2>&1; then
    fresh="$(find "$reports" -name 'TEST-*.xml' -newer "$WORK/surefire.start" 2>/dev/null | sort)"
    on_arm="$(echo "$fresh" | xargs -r grep -l 'name="os.arch" value="aarch64"' | sort)"
    tests="$(echo "$fresh" | xargs -r grep -h -o '<testsuite [^>]*tests="[0-9]*"' | sed 's/.*tests="//; s/"//' | awk '{s += $1} END {print s + 0}')"
    if [ -n "$fresh" ] && [ "$fresh" = "$on_arm" ] && [ "$tests" -gt 0 ]; then
      echo "aarch64:   $tests tests in $(echo "$fresh" | wc -l) classes passed on os.arch aarch64 ($(stamp "$t") s)"
    else
      echo "aarch64:   Surefire passed, but its reports do not show tests run on an aarch64 JVM (fresh reports: $(echo "$fresh" | wc -w), on aarch64: $(echo "$on_arm" | wc -w), tests: $tests)" >&2
      failed="$failed surefire-arch"
    fi
  else
    tail -n 40 "$WORK/surefire.log" >&2
    echo "aarch64:   runtime-edge tests FAILED under cortex-a72 (log: $WORK/surefire.log)" >&2
    failed="$failed surefire"
  fi
  times="$times surefire=$(stamp "$t")s"
fi

# --- b. JMH smoke run ------------------------------------------------------------------------------------
if ! skipped jmh; then
  t=$(date +%s)
  echo "aarch64: JMH smoke run under cortex-a72 (emulated: the numbers are not ARM speed)"
  # The shipped student stands in for the benchmark's seeded one: BenchModels would export that with DL4J,
  # whose natives in this build are x86_64 only.
  mkdir -p "$WORK/bench-models"
  # BenchModels names its files <model>-<CxHxW>-c<classes>.onnx (the benchmark's default parameters: the 28x28 student).
  cp -f "$MODEL" "$WORK/bench-models/student-1x28x28-c10.onnx"
  CP="$ROOT/benchmarks/target/classes:$(cat "$ROOT/benchmarks/target/classpath.txt")"
  if QEMU_CPU=cortex-a72 "$JAVA_ARM" -cp "$CP" org.openjdk.jmh.Main 'EdgeClassifierBenchmark\.(bareSessionRun|classifyFrame)$' \
      -f 1 -wi 0 -i 1 -r 1s -foe true -jvmArgsAppend "-Xms256m -Xmx256m -Dedgekd.bench.models=$WORK/bench-models" \
      -rf json -rff "$WORK/jmh.json" >"$WORK/jmh.log" 2>&1 && grep -q '"primaryMetric"' "$WORK/jmh.json"; then
    grep -E '^EdgeClassifierBenchmark' "$WORK/jmh.log" | sed 's/^/aarch64:   (emulated) /' || true
  else
    tail -n 30 "$WORK/jmh.log" >&2
    echo "aarch64:   JMH smoke run FAILED (log: $WORK/jmh.log)" >&2
    failed="$failed jmh"
  fi
  times="$times jmh=$(stamp "$t")s"
fi

CPC="$ROOT/native/checks/target/classes:$(cat "$ROOT/native/checks/target/classpath.txt")"

# --- c. the same probabilities on every CPU ---------------------------------------------------------------
if ! skipped probabilities; then
  natives="$(unzip -Z1 "$SLIM" | grep '^ai/onnxruntime/native/.*\.so$' | sort | tr '\n' ' ')"
  if [ "$natives" != "ai/onnxruntime/native/linux-aarch64/libonnxruntime.so ai/onnxruntime/native/linux-aarch64/libonnxruntime4j_jni.so " ]; then
    echo "aarch64:   the slim jar should carry the two linux-aarch64 libraries only, found: $natives" >&2
    failed="$failed slim-jar"
  fi
  t=$(date +%s)
  # The float32 student on every CPU; its int8 twin (ONNX Runtime's int8 kernels: plain NEON on the A72, dot-product
  # instructions on the A76) on the A72 and the A76. Integer arithmetic leaves the same tolerance enough.
  runs=""
  for cpu in $cpus; do runs="$runs float:$cpu"; done
  for cpu in $cpus; do case "$cpu" in cortex-a72|cortex-a76) runs="$runs int8:$cpu" ;; esac; done
  model_of() { [ "$1" = int8 ] && echo "$MODEL_INT8" || echo "$MODEL"; }
  for m in float int8; do
    java -cp "$CPC" io.edgekd.platform.ProbabilityDump "$(model_of $m)" "$DATA" "$WORK/probabilities-$m-x86_64.txt" 2>"$WORK/dump-$m-x86_64.log" \
      | sed "s|$WORK/||g; s/^/aarch64:   /" || { cat "$WORK/dump-$m-x86_64.log" >&2; failed="$failed dump-$m-x86_64"; }
  done
  # The emulated runs are independent and each keeps about one core busy: run up to EDGEKD_ARM_JOBS (default:
  # the core count) at once, then report in order.
  jobs_max="${EDGEKD_ARM_JOBS:-$(nproc)}"
  dump_arm() { # model cpu
    local cp_cpu="$CPC"
    [ "$2" = cortex-a76 ] && cp_cpu="$ROOT/native/checks/target/classes:$SLIM"
    QEMU_CPU="$2" "$JAVA_ARM" -cp "$cp_cpu" io.edgekd.platform.ProbabilityDump "$(model_of "$1")" "$DATA" \
      "$WORK/probabilities-$1-$2.txt" >"$WORK/dump-$1-$2.out" 2>"$WORK/dump-$1-$2.log"
    echo $? >"$WORK/dump-$1-$2.status"
  }
  running=0
  for run in $runs; do
    m="${run%%:*}"; cpu="${run#*:}"
    rm -f "$WORK/probabilities-$m-$cpu.txt" "$WORK/dump-$m-$cpu.status"
    dump_arm "$m" "$cpu" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs_max" ]; then wait -n || true; running=$((running - 1)); fi
  done
  wait
  for run in $runs; do
    m="${run%%:*}"; cpu="${run#*:}"
    out="$WORK/probabilities-$m-$cpu.txt"
    if [ "$(cat "$WORK/dump-$m-$cpu.status" 2>/dev/null)" = 0 ]; then
      sed "s|$WORK/||g; s/^/aarch64:   (emulated) /" "$WORK/dump-$m-$cpu.out"
      if verdict="$(java -cp "$CPC" io.edgekd.platform.ProbabilityComparison "$WORK/probabilities-$m-x86_64.txt" "$out" "$tolerance" 2>&1)"; then
        echo "aarch64:   ${verdict//$WORK\//}"
      else
        echo "aarch64:   ${verdict//$WORK\//}" >&2
        failed="$failed probabilities-$m-$cpu"
      fi
    else
      tail -n 20 "$WORK/dump-$m-$cpu.log" >&2
      echo "aarch64:   $m classification under $cpu FAILED" >&2
      failed="$failed dump-$m-$cpu"
    fi
  done
  times="$times probabilities=$(stamp "$t")s"
fi

# --- d. the camera demo on a video file -------------------------------------------------------------------
if ! skipped camera; then
  t=$(date +%s)
  echo "aarch64: the camera demo headless on a lossless 640x480 video under cortex-a72, against x86_64"
  # Lossless (FFV1 on BGR0) rather than SampleVideo's H.264: both FFmpeg builds then hand the demo the very bytes
  # drawn, so the runs must agree as closely as the probabilities above. From H.264 the two builds' YUV-to-BGR
  # conversions round differently, which moved probabilities by up to 0.017 in a run by hand.
  # --top 10: every class of the student in the log; --threads 1 as ProbabilityDump.
  frames=40
  CLIP="$WORK/camera-clip.mkv"
  demo() { # java log input [output]
    local java="$1" log="$2"
    shift 2
    "$java" -jar "$CAMERA" --model "$MODEL" "$@" --headless --top 10 --threads 1 --log "$log"
  }
  rm -f "$WORK"/camera-*.jsonl "$WORK/camera-cortex-a72.mp4"
  if ! java -cp "$CAMERA" io.edgekd.examples.camera.SampleVideo --lossless "$DATA" "$CLIP" 640 480 1 "$frames" >"$WORK/camera-clip.log" 2>&1; then
    tail -n 5 "$WORK/camera-clip.log" >&2
    echo "aarch64:   SampleVideo --lossless FAILED (log: $WORK/camera-clip.log)" >&2
    failed="$failed camera-clip"
  elif ! demo java "$WORK/camera-x86_64.jsonl" "file://$CLIP" >"$WORK/camera-x86_64.log" 2>&1; then
    tail -n 5 "$WORK/camera-x86_64.log" >&2
    echo "aarch64:   the camera demo FAILED on x86_64 (log: $WORK/camera-x86_64.log)" >&2
    failed="$failed camera-x86_64"
  elif ! QEMU_CPU=cortex-a72 demo "$JAVA_ARM" "$WORK/camera-cortex-a72.jsonl" "file://$CLIP" "file://$WORK/camera-cortex-a72.mp4" \
      >"$WORK/camera-cortex-a72.log" 2>&1; then
    tail -n 5 "$WORK/camera-cortex-a72.log" >&2
    echo "aarch64:   the camera demo FAILED under cortex-a72 (log: $WORK/camera-cortex-a72.log)" >&2
    failed="$failed camera-cortex-a72"
  else
    grep -h 'end of input' "$WORK/camera-cortex-a72.log" | sed 's/^edgekd camera: /aarch64:   (emulated) /' || true
    if verdict="$(java -cp "$CPC" io.edgekd.platform.PredictionLogComparison "$WORK/camera-x86_64.jsonl" "$WORK/camera-cortex-a72.jsonl" "$tolerance" 2>&1)" \
        && [ "$(wc -l <"$WORK/camera-x86_64.jsonl")" -eq "$frames" ]; then
      echo "aarch64:   ${verdict//$WORK\//}"
    else
      echo "aarch64:   ${verdict//$WORK\//} (x86_64 logged $(wc -l <"$WORK/camera-x86_64.jsonl") of $frames frames)" >&2
      failed="$failed camera-predictions"
    fi
    # The MP4 the ARM run wrote (H.264 from the arm64 FFmpeg, overlay drawn) plays: decoded back here, frame by frame.
    if demo java "$WORK/camera-mp4.jsonl" "file://$WORK/camera-cortex-a72.mp4" >"$WORK/camera-mp4.log" 2>&1 \
        && [ "$(wc -l <"$WORK/camera-mp4.jsonl")" -eq "$frames" ]; then
      echo "aarch64:   camera-cortex-a72.mp4 decodes back to $frames frames"
    else
      echo "aarch64:   camera-cortex-a72.mp4 does not decode back to $frames frames (found $(wc -l <"$WORK/camera-mp4.jsonl" 2>/dev/null || echo 0); log: $WORK/camera-mp4.log)" >&2
      failed="$failed camera-mp4"
    fi
  fi
  times="$times camera=$(stamp "$t")s"
fi

echo "aarch64: wall times:$times total=$(stamp "$t_start")s (emulated; correctness only)"
if [ -n "$failed" ]; then
  echo "aarch64: FAILED:$failed" >&2
  exit 1
fi
echo "aarch64: all checks passed"
