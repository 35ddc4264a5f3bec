#!/usr/bin/env bash
# Re-creates native/aarch64/student-fashion-sample.onnx, the trained student the aarch64 check classifies with:
# edgekd's default student, trained alone for 3 epochs on the shipped Fashion-MNIST sample with seed 42, exported
# with the default options (batch norms folded, float NCHW input), and its int8 twin
# student-fashion-sample-int8.onnx (the default int8 export: symmetric, min-max calibration on 500 images of the
# sample's training part). About 60 s on two cores.
#
# Build the training CLI first: ./mvnw -B -q -pl train -am -DskipTests package
# Rerunning it gives the same weights and the same probabilities on every image; only the provenance entry
# edgekd.provenance.train.seconds (the wall time of training) differs, so the file's SHA-256 does too.
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=train/target/edgekd-train.jar
[ -f "$JAR" ] || { echo "no $JAR: run ./mvnw -B -q -pl train -am -DskipTests package first" >&2; exit 2; }
out="${1:-native/aarch64/student-fashion-sample.onnx}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export ORT_DISABLE_TELEMETRY=1
java -jar "$JAR" student --data=sample --epochs=3 --seed=42 -q --out="$tmp/student.zip"
java -jar "$JAR" export --model="$tmp/student.zip" --out="$tmp/student.onnx"
java -jar "$JAR" export --model="$tmp/student.zip" --out="$tmp/student-int8.onnx" --int8 --calibration=sample
mv "$tmp/student.onnx" "$out"
mv "$tmp/student-int8.onnx" "${out%.onnx}-int8.onnx"
echo "wrote $out and ${out%.onnx}-int8.onnx"
