#!/usr/bin/env bash
# Builds ONNX Runtime's Java binding with the CUDA and TensorRT execution providers on an NVIDIA Jetson, and
# installs the jar into the local Maven repository as
#
#     com.microsoft.onnxruntime:onnxruntime:<ort-version>-jp<jetpack>      e.g. 1.29.0-jp6.1
#
# which is what `-Pjetson` in runtime-edge and examples switches to. Microsoft publishes no aarch64 GPU jar
# (onnxruntime_gpu on Maven Central carries linux-x64 and win-x64 only), so on a Jetson the binding is built
# from source. The version suffix never exists on Maven Central, so the local build cannot be mistaken for, or
# overwritten by, a published artifact; keeping the groupId and artifactId means every module that depends on
# ONNX Runtime, directly or through runtime-edge, switches with one managed version.
#
# Usage:
#   native/jetson/build-onnxruntime.sh [--jetpack 5.1|6.0|6.1|6.2] [options]
#   native/jetson/build-onnxruntime.sh --jetpack 6.1 --dry-run      # print the exact commands, run nothing
#
# Options:
#   --jetpack V        JetPack release; read from /etc/nv_tegra_release when omitted (R35 -> 5.1,
#                      R36.2/R36.3 -> 6.0, R36.4 -> 6.1; 6.2 has the same CUDA/TensorRT as 6.1)
#   --ort-version V    ONNX Runtime release tag to build (default: per JetPack, see the table below)
#   --src DIR          where to clone ONNX Runtime (default: ~/src/onnxruntime-<version>)
#   --cuda-home DIR    --cudnn-home DIR   --tensorrt-home DIR      override the per-JetPack defaults
#   --cuda-arch LIST   CMAKE_CUDA_ARCHITECTURES (default: per JetPack: 72;87 on 5.1, 87 on 6.x)
#   --parallel N       build jobs (default: from memory + swap, see below)
#   --no-install       build only; do not run mvn install:install-file
#   --dry-run          print the commands (clone, build, install) and exit 0
#   -h, --help
#
# Per JetPack (what the board ships, and the ONNX Runtime release chosen for it):
#
#   JetPack | L4T      | CUDA           | cuDNN | TensorRT | ONNX Runtime | boards
#   5.1.x   | R35      | 11.4 (ships),  | 8.6   | 8.5      | 1.18.1       | Xavier (sm_72), Orin (sm_87)
#           |          | 11.8 to build  |       |          |              |
#   6.0     | R36.2/.3 | 12.2           | 8.9   | 8.6      | 1.18.1       | Orin only (sm_87)
#   6.1/6.2 | R36.4    | 12.6           | 9.3   | 10.3     | 1.29.0       | Orin only (sm_87)
#
# Why these versions (sources: ONNX Runtime's docs/build/eps.md, section "NVIDIA Jetson TX1/TX2/Nano/Xavier/
# Orin", and its GitHub issues and pull requests, cited by number):
#   - JetPack 5.x tops out at TensorRT 8.5 (eps.md). "For JetPack 5.x users, CUDA 11.8 and GCC 11 are required
#     to be updated, in order to build latest ONNX Runtime locally" (eps.md); CUDA 11.8 installs beside the
#     stock 11.4 without a new BSP (NVIDIA's "upgradable CUDA" for JetPack 5.0+, linked from eps.md), hence the
#     default /usr/local/cuda-11.8 and g++-11.
#   - ONNX Runtime after 1.18 calls TensorRT 8.6 APIs unconditionally (IBuilderConfig::
#     setHardwareCompatibilityLevel; build errors against TensorRT 8.5.3 reported in microsoft/onnxruntime#21567);
#     the fix that would guard them for JetPack 5 (#23215) was not merged. NVIDIA's Jetson Zoo lists ONNX Runtime
#     1.18.0 as the newest build for JetPack 5.1.2 (#23113). So 1.18.1, the last 1.18 patch release.
#   - CUDA 12.x is only available on Jetson Orin and newer (compute capability >= 8.7; eps.md): JetPack 6 images
#     build for sm_87 only, JetPack 5 for Xavier and Orin.
#   - JetPack 6.0 has cuDNN 8.9. 1.18.1's default GPU packages were still CUDA 11.8 + cuDNN 8 (#20829; its CUDA 12
#     builds added cuDNN 9, #20907), while from 1.19 on "Default GPU packages use CUDA 12.x and Cudnn 9.x" (release
#     notes, quoted in #21965): so 6.0 gets 1.18.1 as well, the newest release built and tested with cuDNN 8. eps.md notes that JetPack 6.0 "can support TensorRT 10" from NVIDIA's TAR package: with that and
#     cuDNN 9, pass --ort-version and --tensorrt-home/--cudnn-home to build a newer release.
#   - JetPack 6.1/6.2 (CUDA 12.6, cuDNN 9.3, TensorRT 10.3) get the release edgekd's CPU build uses (1.29.0),
#     so that the Java API is the one runtime-edge is compiled and tested against. A 1.18.1 jar under an
#     edgekd built against 1.29 works as far as edgekd uses only API that 1.18 has; the tests under -Pjetson
#     on the board are the proof.
#   - CMake >= 3.26 is required (eps.md; Ubuntu 20.04/22.04 ship older: use apt.kitware.com or pip install
#     cmake). The Java binding builds with Gradle through ONNX Runtime's wrapper (it downloads Gradle) and a
#     JDK 17 (openjdk-17-jdk).
#   None of this has been run on a Jetson by edgekd; the script is tested only in --dry-run form (see
#   native/checks). Report what you find on real hardware.
#
# Memory: nvcc's cicc takes 1.5-3 GB per job on ONNX Runtime's CUDA kernels, and "nvcc error : 'cicc' died due
# to signal 9" is the out-of-memory symptom; eps.md advises --parallel with --nvcc_threads 1, and --parallel 2 or
# smaller on Xavier-class boards. The default here is one job per 3 GB of RAM + swap (at least 1, at most the
# core count), and the script warns when RAM + swap is under 16 GB: add a swap file before building, e.g.
#     sudo fallocate -l 16G /swapfile && sudo chmod 600 /swapfile && sudo mkswap /swapfile && sudo swapon /swapfile
# (8 GB of RAM + 16 GB of swap on an Orin Nano gives 8 jobs, capped at its 6 cores). A dry run off the board
# assumes 16 GB of RAM + swap (5 jobs). Build time on the boards has not been measured here.
set -euo pipefail

die() { echo "jetson: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

jetpack=""
ort=""
src=""
cuda_home=""
cudnn_home=""
trt_home=""
cuda_arch=""
parallel=""
install=1
dry=0
need() { [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value (see --help)"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --jetpack) need "$@"; jetpack="$2"; shift ;;
    --ort-version) need "$@"; ort="$2"; shift ;;
    --src) need "$@"; src="$2"; shift ;;
    --cuda-home) need "$@"; cuda_home="$2"; shift ;;
    --cudnn-home) need "$@"; cudnn_home="$2"; shift ;;
    --tensorrt-home) need "$@"; trt_home="$2"; shift ;;
    --cuda-arch) need "$@"; cuda_arch="$2"; shift ;;
    --parallel) need "$@"; parallel="$2"; shift ;;
    --no-install) install=0 ;;
    --dry-run) dry=1 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done

if [ -z "$jetpack" ]; then
  [ -r /etc/nv_tegra_release ] || die "not a Jetson (no /etc/nv_tegra_release): pass --jetpack 5.1, 6.0, 6.1 or 6.2"
  # e.g. "# R36 (release), REVISION: 4.0, GCID: ..."
  l4t="$(sed -n 's/^# R\([0-9]*\) (release), REVISION: \([0-9]*\).*/\1.\2/p' /etc/nv_tegra_release)"
  case "$l4t" in
    35.*) jetpack=5.1 ;;
    36.2|36.3) jetpack=6.0 ;;
    36.*) jetpack=6.1 ;;
    *) die "L4T R$l4t is not one this script knows (expected R35 = JetPack 5.1 or R36 = JetPack 6.x): pass --jetpack" ;;
  esac
fi

# Per-JetPack defaults. On every JetPack, cuDNN and TensorRT live in the multiarch library folder (headers
# in /usr/include/aarch64-linux-gnu), which is what build.sh's --cudnn_home/--tensorrt_home expect there.
case "$jetpack" in
  5.1|5.1.*)
    jp=5.1; def_ort=1.18.1; def_cuda=/usr/local/cuda-11.8; def_arch="72;87"; compilers="CC=gcc-11 CXX=g++-11 " ;;
  6.0)
    jp=6.0; def_ort=1.18.1; def_cuda=/usr/local/cuda-12.2; def_arch=87; compilers="" ;;
  6.1|6.2|6.1.*|6.2.*)
    jp=${jetpack:0:3}; def_ort=1.29.0; def_cuda=/usr/local/cuda-12.6; def_arch=87; compilers="" ;;
  *) die "JetPack '$jetpack' is not supported: expected 5.1, 6.0, 6.1 or 6.2" ;;
esac
ort="${ort:-$def_ort}"
[[ "$ort" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "--ort-version: expected a release such as 1.29.0, found '$ort'"
cuda_home="${cuda_home:-$def_cuda}"
cudnn_home="${cudnn_home:-/usr/lib/aarch64-linux-gnu}"
trt_home="${trt_home:-/usr/lib/aarch64-linux-gnu}"
cuda_arch="${cuda_arch:-$def_arch}"
[[ "$cuda_arch" =~ ^[0-9]+(\;[0-9]+)*$ ]] || die "--cuda-arch: expected compute capabilities such as 87 or '72;87', found '$cuda_arch'"
src="${src:-$HOME/src/onnxruntime-$ort}"

# Memory (RAM + swap, in GB) decides the job count.
mem_kb() { awk -v k="$1" '$1 == k":" {print $2}' /proc/meminfo 2>/dev/null; }
total_gb=$(( ( $(mem_kb MemTotal || echo 0) + $(mem_kb SwapTotal || echo 0) ) / 1048576 ))
cores=$(nproc 2>/dev/null || echo 1)
if [ -z "$parallel" ]; then
  if [ "$dry" = 1 ] && [ ! -r /etc/nv_tegra_release ]; then
    # A dry run off the board prints the figure for an 8 GB Orin Nano with 8 GB of swap.
    parallel=5
  else
    parallel=$(( total_gb / 3 ))
    [ "$parallel" -ge 1 ] || parallel=1
    [ "$parallel" -le "$cores" ] || parallel=$cores
  fi
fi
[[ "$parallel" =~ ^[1-9][0-9]*$ ]] || die "--parallel: expected a positive number, found '$parallel'"

version="$ort-jp$jp"
jar="$src/build/Linux/Release/java/build/libs/onnxruntime_gpu-$ort.jar"
root_flag=""
[ "$(id -u)" -eq 0 ] && root_flag=" --allow_running_as_root"

clone_cmd="git clone --recursive --depth 1 --branch v$ort https://github.com/microsoft/onnxruntime $src"
build_cmd="cd $src && ${compilers}CUDACXX=$cuda_home/bin/nvcc PATH=$cuda_home/bin:\$PATH ./build.sh --config Release --update --build --build_shared_lib --build_java --skip_tests --parallel $parallel --nvcc_threads 1 --use_cuda --cuda_home $cuda_home --cudnn_home $cudnn_home --use_tensorrt --tensorrt_home $trt_home --cmake_extra_defines 'CMAKE_CUDA_ARCHITECTURES=$cuda_arch' onnxruntime_BUILD_UNIT_TESTS=OFF$root_flag"
install_cmd="mvn -B install:install-file -Dfile=$jar -DgroupId=com.microsoft.onnxruntime -DartifactId=onnxruntime -Dversion=$version -Dpackaging=jar"

if [ "$dry" = 1 ]; then
  echo "# JetPack $jp: ONNX Runtime $ort, CUDA $cuda_home, cuDNN $cudnn_home, TensorRT $trt_home, sm $cuda_arch, $parallel jobs"
  echo "$clone_cmd"
  echo "$build_cmd"
  [ "$install" = 1 ] && echo "$install_cmd"
  echo "# then: ./mvnw -Pjetson -Djetson.onnxruntime.version=$version ..."
  exit 0
fi

# --- the real build: check the board first ------------------------------------------------------------------
[ "$(uname -m)" = aarch64 ] || die "expected to run on the Jetson (aarch64), found $(uname -m); use --dry-run to see the commands"
[ -x "$cuda_home/bin/nvcc" ] || die "no nvcc in $cuda_home/bin$([ "$jp" = 5.1 ] && echo ': JetPack 5 needs CUDA 11.8 to build (sudo apt-get install cuda-toolkit-11-8 from NVIDIA repo, see eps.md)')"
ls "$cudnn_home"/libcudnn.so* >/dev/null 2>&1 || die "no libcudnn.so in $cudnn_home (sudo apt-get install libcudnn*-dev or pass --cudnn-home)"
ls "$trt_home"/libnvinfer.so* >/dev/null 2>&1 || die "no libnvinfer.so in $trt_home (sudo apt-get install tensorrt-dev or pass --tensorrt-home)"
if [ -n "$compilers" ]; then command -v g++-11 >/dev/null || die "JetPack 5 needs GCC 11 to build ONNX Runtime (sudo apt-get install g++-11; on Ubuntu 20.04 from ppa:ubuntu-toolchain-r/test)"; fi
cmake_v="$(cmake --version 2>/dev/null | sed -n 's/^cmake version \([0-9]*\.[0-9]*\).*/\1/p')"
[ -n "$cmake_v" ] || die "no cmake: ONNX Runtime needs CMake >= 3.26 (apt.kitware.com, or pip install cmake)"
[ "$(printf '%s\n3.26\n' "$cmake_v" | sort -V | head -n1)" = 3.26 ] || die "CMake $cmake_v is too old: ONNX Runtime needs >= 3.26"
command -v javac >/dev/null || die "no javac: --build_java needs a JDK 17 (sudo apt-get install openjdk-17-jdk)"
[ "$install" = 0 ] || command -v mvn >/dev/null || die "no mvn to install the jar (sudo apt-get install maven, or pass --no-install)"
if [ "$total_gb" -lt 16 ]; then
  echo "jetson: only ${total_gb} GB of RAM + swap; building with $parallel jobs. If cicc dies with signal 9, add swap (see --help) or lower --parallel." >&2
fi

[ -d "$src/.git" ] || eval "$clone_cmd"
echo "jetson: $build_cmd" >&2
eval "$build_cmd"
[ -f "$jar" ] || die "the build finished but $jar is missing"
unzip -l "$jar" | grep -q 'ai/onnxruntime/native/linux-aarch64/libonnxruntime_providers_tensorrt.so' \
  || die "$jar has no linux-aarch64 TensorRT provider library: the build did not include --use_tensorrt"
if [ "$install" = 1 ]; then
  eval "$install_cmd"
  echo "jetson: installed com.microsoft.onnxruntime:onnxruntime:$version; build edgekd with ./mvnw -Pjetson -Djetson.onnxruntime.version=$version"
else
  echo "jetson: built $jar"
fi
