#!/usr/bin/env bash
# Tests the -Pjetson profile of runtime-edge and examples from their effective POMs: without the profile both use
# Maven Central's com.microsoft.onnxruntime:onnxruntime:${onnxruntime.version}; with it, the Jetson build that
# native/jetson/build-onnxruntime.sh installs (default <version>-jp6.1; -Djetson.onnxruntime.version picks
# another). The effective POM needs no dependency resolution, so this runs anywhere, without the Jetson jar.
# Exit status 0 when every case holds, 1 otherwise. Run from anywhere; about 30 s.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
HELP=org.apache.maven.plugins:maven-help-plugin:3.5.1:effective-pom
cpu="$(sed -n 's:.*<onnxruntime.version>\(.*\)</onnxruntime.version>.*:\1:p' pom.xml | head -n1)"
failed=0

# The versions the effective POM of each module gives com.microsoft.onnxruntime:onnxruntime, one per line,
# as "module version" (managed and declared entries alike).
versions() {
  ./mvnw -B -q ${MVN_ARGS:-} "$@" "$HELP" -pl runtime-edge,examples -Doutput="$tmp/eff.xml" >"$tmp/mvn.log" 2>&1 \
    || { cat "$tmp/mvn.log" >&2; return 1; }
  python3 - "$tmp/eff.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"m": "http://maven.apache.org/POM/4.0.0"}
root = ET.parse(sys.argv[1]).getroot()
projects = root.findall("m:project", ns) if root.tag.endswith("projects") else [root]
for p in projects:
    art = p.find("m:artifactId", ns).text
    # the project's own dependencies and managed dependencies, not those of the (inactive) profiles it lists
    for d in p.findall("m:dependencies/m:dependency", ns) + p.findall("m:dependencyManagement/m:dependencies/m:dependency", ns):
        if d.findtext("m:groupId", namespaces=ns) == "com.microsoft.onnxruntime" and d.findtext("m:artifactId", namespaces=ns) == "onnxruntime":
            print(art, d.findtext("m:version", namespaces=ns))
PY
}

check() { # description, expected version, maven arguments...
  local what="$1" want="$2"; shift 2
  local got
  got="$(versions "$@" | sort -u)" || { echo "FAIL $what: Maven failed"; failed=1; return; }
  local modules wrong
  modules="$(echo "$got" | awk '{print $1}' | sort -u | tr '\n' ' ')"
  wrong="$(echo "$got" | awk -v w="$want" '$2 != w')"
  if [ "$modules" = "edgekd-examples edgekd-runtime-edge " ] && [ -z "$wrong" ]; then
    echo "ok   $what: onnxruntime $want in runtime-edge and examples"
  else
    echo "FAIL $what: expected onnxruntime $want in both modules, found:"; echo "$got" | sed 's/^/       /'
    failed=1
  fi
}

check "no profile" "$cpu"
check "-Pjetson" "$cpu-jp6.1" -Pjetson
check "-Pjetson -Djetson.onnxruntime.version=1.18.1-jp5.1" "1.18.1-jp5.1" -Pjetson -Djetson.onnxruntime.version=1.18.1-jp5.1
exit "$failed"
