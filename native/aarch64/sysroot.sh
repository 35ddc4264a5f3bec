#!/usr/bin/env bash
# Sets up an emulated aarch64 Java 17 on an x86_64 Debian machine, without a chroot:
#   - qemu-user-static + binfmt-support (installed with apt-get when missing; binfmt_misc mounted if needed);
#   - Debian's arm64 openjdk-17-jre-headless, the system libraries that bytedeco's arm64 FFmpeg links (for the
#     camera demo: libva2 libva-drm2 libdrm2 libpulse0 libxcb1 libxcb-shm0), and their dependency closure,
#     fetched with a private apt configuration (APT::Architecture arm64, own state and cache folders, an empty dpkg status) and unpacked
#     with dpkg-deb -x into a sysroot whose absolute symlinks are made relative;
#   - a wrapper, java-emulated, that runs the arm64 java under qemu with QEMU_LD_PREFIX=<sysroot>, the CPU
#     model from QEMU_CPU (default cortex-a72), and, where needed, an ARM /proc/cpuinfo (see below).
#
# The sysroot is cached under $EDGEKD_AARCH64_CACHE (default ~/.cache/edgekd-aarch64), keyed by the exact
# names and versions of the .deb files, so a run after a Debian security update builds a fresh one.
#
# Usage (as root):  native/aarch64/sysroot.sh         prints the wrapper's path on the last line of stdout
#
# /proc/cpuinfo: on AMD hosts ONNX Runtime's aarch64 library reads the host's x86 /proc/cpuinfo while it loads
# under qemu-user and crashes with SIGSEGV, whatever QEMU_CPU says. The wrapper then runs java in a private
# mount namespace with an ARM cpuinfo bound over /proc/cpuinfo. EDGEKD_ARM_CPUINFO=always|auto|never decides
# (default: always, so that the path AMD hosts need is the one every CI run exercises; on Intel it changes
# no result and costs nothing measurable; auto applies it on AuthenticAMD hosts only). The file matches the
# core QEMU_CPU names (cortex-a57, -a72, -a76; others get the A72's).
set -euo pipefail

die() { echo "aarch64: $*" >&2; exit 2; }
note() { echo "aarch64: $*" >&2; }

[ "$(uname -m)" = x86_64 ] || die "expected an x86_64 host, found $(uname -m)"
[ "$(id -u)" -eq 0 ] || die "must run as root (installs qemu-user-static, mounts binfmt_misc, binds /proc/cpuinfo); found uid $(id -u)"
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || die "expected a Debian host with apt-get and dpkg-deb"

CACHE="${EDGEKD_AARCH64_CACHE:-$HOME/.cache/edgekd-aarch64}"
CPUINFO_MODE="${EDGEKD_ARM_CPUINFO:-always}"
case "$CPUINFO_MODE" in always|auto|never) ;; *) die "EDGEKD_ARM_CPUINFO: expected always, auto or never, found '$CPUINFO_MODE'";; esac
mkdir -p "$CACHE"

# --- qemu-user and binfmt ----------------------------------------------------------------------------------
if ! command -v qemu-aarch64-static >/dev/null || ! command -v update-binfmts >/dev/null; then
  note "installing qemu-user-static and binfmt-support"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static binfmt-support >/dev/null \
    || die "cannot install qemu-user-static and binfmt-support with apt-get"
fi
command -v qemu-aarch64-static >/dev/null || die "no qemu-aarch64-static after installing qemu-user-static"
if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null \
    || die "binfmt_misc is not mounted and cannot be mounted here (a container without CAP_SYS_ADMIN?)"
fi
if ! grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null; then
  if [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    # Registered but switched off: update-binfmts would call it "already enabled in kernel" and do nothing.
    echo 1 > /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null || true
  else
    update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
  fi
fi
grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null \
  || die "no enabled binfmt_misc entry for qemu-aarch64, and enabling it failed (update-binfmts --enable qemu-aarch64)"

# --- the arm64 JRE -----------------------------------------------------------------------------------------
APT="$CACHE/apt"
# The camera jar's linux-arm64 FFmpeg (libjniavutil.so and friends) is linked against these; its x86_64 build
# bundles them. They add 23 small packages to the JRE's 72 and change no result of the runtime checks.
PACKAGES="openjdk-17-jre-headless libva2 libva-drm2 libdrm2 libpulse0 libxcb1 libxcb-shm0"
mkdir -p "$APT/state/lists/partial" "$APT/cache/archives/partial" "$APT/etc/apt.conf.d" "$APT/etc/preferences.d" \
  "$APT/etc/sources.list.d"
: > "$APT/status.empty"
# The host's own Debian sources, whatever format it keeps them in; apt picks arm64 from APT::Architecture.
cp -f /etc/apt/sources.list "$APT/etc/sources.list" 2>/dev/null || : > "$APT/etc/sources.list"
rm -f "$APT/etc/sources.list.d/"*
for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [ -e "$f" ] && cp -f "$f" "$APT/etc/sources.list.d/"
done
apt_arm64() {
  apt-get -q \
    -o Dir::Etc="$APT/etc" -o Dir::Etc::SourceList="$APT/etc/sources.list" \
    -o Dir::Etc::SourceParts="$APT/etc/sources.list.d" -o Dir::Etc::Parts="$APT/etc/apt.conf.d" \
    -o Dir::Etc::PreferencesParts="$APT/etc/preferences.d" -o Dir::Etc::TrustedParts=/etc/apt/trusted.gpg.d \
    -o Dir::Etc::Trusted=/etc/apt/trusted.gpg \
    -o Dir::State="$APT/state" -o Dir::State::status="$APT/status.empty" -o Dir::Cache="$APT/cache" \
    -o APT::Architecture=arm64 -o APT::Architectures::=arm64 \
    -o APT::Install-Recommends=false -o Debug::NoLocking=true "$@"
}

newest_complete() { ls -1dt "$CACHE"/sysroot-*/.complete 2>/dev/null | head -n1 | xargs -r dirname; }

SYSROOT=""
# apt-get update costs ~10 s; lists younger than EDGEKD_AARCH64_LIST_MAX_AGE minutes (default 360) are reused.
lists_fresh() { [ -n "$(find "$APT/updated" -mmin -"${EDGEKD_AARCH64_LIST_MAX_AGE:-360}" 2>/dev/null)" ]; }
if lists_fresh || { apt_arm64 update >"$APT/update.log" 2>&1 && touch "$APT/updated"; }; then
  # The dependency closure as apt would install it on an empty arm64 system.
  # shellcheck disable=SC2086
  apt_arm64 install -y --print-uris $PACKAGES >"$APT/uris.txt" 2>"$APT/uris.err" \
    || die "apt cannot resolve arm64 $PACKAGES: $(tail -n1 "$APT/uris.err")"
  # Lines look like: 'http://.../pkg_ver_arm64.deb' pkg_ver_arm64.deb SIZE SHA256:...
  grep "^'" "$APT/uris.txt" | awk '{print $2}' | sort > "$APT/debs.txt"
  [ -s "$APT/debs.txt" ] || die "apt listed no arm64 packages for $PACKAGES"
  KEY="$(sha256sum "$APT/debs.txt" | cut -c1-16)"
  SYSROOT="$CACHE/sysroot-$KEY"
  if [ ! -e "$SYSROOT/.complete" ]; then
    note "building the arm64 sysroot $SYSROOT ($(wc -l <"$APT/debs.txt") packages)"
    # shellcheck disable=SC2086
    apt_arm64 install -y --download-only $PACKAGES >"$APT/download.log" 2>&1 \
      || die "downloading arm64 packages failed: $(tail -n1 "$APT/download.log")"
    rm -rf "$SYSROOT.tmp"
    mkdir -p "$SYSROOT.tmp"
    while read -r deb; do
      # apt stores ':' of epochs as %3a
      dpkg-deb -x "$APT/cache/archives/${deb//:/%3a}" "$SYSROOT.tmp" \
        || dpkg-deb -x "$APT/cache/archives/$deb" "$SYSROOT.tmp" || die "cannot unpack $deb"
    done < "$APT/debs.txt"
    # Absolute symlinks (e.g. the JRE's conf -> /etc/java-17-openjdk) would point into the host: make them
    # relative to the sysroot.
    find "$SYSROOT.tmp" -type l -lname '/*' -print0 | while IFS= read -r -d '' link; do
      ln -sfnr "$SYSROOT.tmp$(readlink "$link")" "$link"
    done
    cp "$APT/debs.txt" "$SYSROOT.tmp/.packages"
    touch "$SYSROOT.tmp/.complete"
    mv "$SYSROOT.tmp" "$SYSROOT"
    apt_arm64 clean >/dev/null 2>&1 || true
  fi
else
  SYSROOT="$(newest_complete)"
  [ -n "$SYSROOT" ] || die "apt-get update for arm64 failed and no cached sysroot exists: $(tail -n1 "$APT/update.log")"
  note "apt-get update for arm64 failed; using the cached sysroot $SYSROOT"
fi

JAVA_HOME_ARM="$SYSROOT/usr/lib/jvm/java-17-openjdk-arm64"
[ -x "$JAVA_HOME_ARM/bin/java" ] || die "no arm64 java in $JAVA_HOME_ARM"

# --- the ARM cpuinfo and the wrapper -----------------------------------------------------------------------
use_cpuinfo=0
case "$CPUINFO_MODE" in
  always) use_cpuinfo=1 ;;
  auto) grep -q AuthenticAMD /proc/cpuinfo && use_cpuinfo=1 ;;
esac
if [ "$use_cpuinfo" = 1 ]; then
  command -v unshare >/dev/null || die "unshare (util-linux) is needed to bind an ARM /proc/cpuinfo"
  # What the boards' kernels print, one block per host core (ONNX Runtime counts them): Jetson Nano (A57),
  # Raspberry Pi 4 (A72), Raspberry Pi 5 (A76). The wrapper picks the file named after QEMU_CPU, so that the
  # core ONNX Runtime reads from cpuinfo agrees with the features qemu reports in HWCAP.
  write_cpuinfo() { # cpu variant part revision features
    local f="$CACHE/arm-cpuinfo-$1.txt" i
    : > "$f.tmp"
    for ((i = 0; i < $(nproc); i++)); do
      printf 'processor\t: %d\nBogoMIPS\t: 108.00\nFeatures\t: %s\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: %s\nCPU part\t: %s\nCPU revision\t: %s\n\n' \
        "$i" "$5" "$2" "$3" "$4" >> "$f.tmp"
    done
    mv "$f.tmp" "$f"
  }
  write_cpuinfo cortex-a57 0x1 0xd07 1 "fp asimd evtstrm aes pmull sha1 sha2 crc32"
  write_cpuinfo cortex-a72 0x0 0xd08 3 "fp asimd evtstrm crc32 cpuid"
  write_cpuinfo cortex-a76 0x4 0xd0b 1 "fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp"
  unshare -m sh -c "mount --bind '$CACHE/arm-cpuinfo-cortex-a72.txt' /proc/cpuinfo" 2>/dev/null \
    || die "cannot bind an ARM cpuinfo over /proc/cpuinfo in a private mount namespace (needs CAP_SYS_ADMIN)"
fi

# In the JRE's bin folder, so that tools that derive the Java home from the executable (Surefire, JMH) find it.
WRAPPER="$JAVA_HOME_ARM/bin/java-emulated"
{
  echo '#!/bin/sh'
  echo '# The arm64 java under qemu-user (written by native/aarch64/sysroot.sh). Emulated: correct, never fast.'
  echo "export QEMU_LD_PREFIX='$SYSROOT'"
  echo 'export QEMU_CPU="${QEMU_CPU:-cortex-a72}"'
  if [ "$use_cpuinfo" = 1 ]; then
    echo "cpuinfo='$CACHE/arm-cpuinfo-'\"\$QEMU_CPU\".txt"
    echo "[ -f \"\$cpuinfo\" ] || cpuinfo='$CACHE/arm-cpuinfo-cortex-a72.txt'"
    echo "exec unshare -m -- sh -c 'mount --bind \"\$0\" /proc/cpuinfo || exit 125; exec \"\$@\"' \"\$cpuinfo\" '$JAVA_HOME_ARM/bin/java' \"\$@\""
  else
    echo "exec '$JAVA_HOME_ARM/bin/java' \"\$@\""
  fi
} > "$WRAPPER.tmp"
chmod +x "$WRAPPER.tmp"
mv "$WRAPPER.tmp" "$WRAPPER"

out="$("$WRAPPER" -XshowSettings:properties -version 2>&1)" || die "the emulated java does not start: $(echo "$out" | tail -n3)"
echo "$out" | grep -q 'os.arch = aarch64' || die "the emulated java does not report os.arch = aarch64"
note "emulated java ready: $(echo "$out" | grep 'java.runtime.version' | sed 's/.*= //') on aarch64 (cpuinfo bind: $use_cpuinfo)"
echo "$WRAPPER"
