#!/usr/bin/env bash
# Packs the scangate dotnet tool, installs it from the package into a temporary tool path with the same install
# script the integrations use, and runs it from there: --version, pipeline, demo. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
passed=0
failed=0
ok() { echo "PASS $1"; passed=$((passed + 1)); }
ko() { echo "FAIL $1"; failed=$((failed + 1)); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -1)
if dotnet pack src/ScanGate.Cli -c Release -o "$tmp/nupkg" > "$tmp/pack.log" 2>&1 && [ -f "$tmp/nupkg/ScanGate.Tool.$version.nupkg" ]; then
  ok "dotnet pack gives ScanGate.Tool.$version.nupkg"
else
  tail -20 "$tmp/pack.log"; ko "dotnet pack"
fi

missing=""
for rid in linux-x64 linux-arm64 osx-arm64 osx-x64 win-x64 any; do
  [ -f "$tmp/nupkg/ScanGate.Tool.$rid.$version.nupkg" ] || missing="$missing $rid"
done
if [ -z "$missing" ]; then ok "dotnet pack gives a package per platform and the portable 'any' fallback"; else ko "platform packages missing:$missing"; fi

exe=$(bash integrations/install.sh --tool-path "$tmp/tool" --version "$version" --add-source "$tmp/nupkg" 2> "$tmp/install.log")
if [ -n "$exe" ] && [ -x "$exe" ]; then ok "install.sh installs the tool from the package ($exe)"; else cat "$tmp/install.log"; ko "install.sh"; fi

# The pointer package resolves to the precompiled linux-x64 build on this machine (ReadyToRun: an R2R header in the dll).
store=$(dirname "$exe")/.store/scangate.tool/$version
if [ -d "$store/scangate.tool.linux-x64" ] && dll=$(find "$store/scangate.tool.linux-x64" -name ScanGate.Core.dll | head -1) && [ -n "$dll" ] \
   && python3 .ci/steps/is-readytorun.py "$dll"
then
  ok "the installed tool is the precompiled (ReadyToRun) linux-x64 build"
else
  ko "the installed tool is not the ReadyToRun linux-x64 build (store: $(ls "$store" 2>&1 | tr '\n' ' '))"
fi

if out=$("$exe" --version 2>&1) && echo "$out" | grep -q "^$version"; then ok "scangate --version prints $out"; else echo "$out"; ko "scangate --version"; fi

if "$exe" pipeline github --host 10.0.0.1 --fail-on-severity 4 > "$tmp/workflow.yml" 2>&1 && grep -q "secrets.QUALYS_PASSWORD" "$tmp/workflow.yml"; then
  ok "scangate pipeline github from the installed tool"
else
  cat "$tmp/workflow.yml"; ko "scangate pipeline github"
fi

# The demo runs a real scan against the embedded emulator; its scenario is a failing gate (exit 1) that writes the
# result. Anything else (including "not built yet") is a failure, reported loudly.
mkdir -p "$tmp/demo"
( cd "$tmp/demo" && timeout 120 "$exe" demo ) > "$tmp/demo.log" 2>&1
rc=$?
result=$(find "$tmp/demo" -name scangate-result.json | head -1)
if { [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]; } && [ -n "$result" ]; then
  ok "scangate demo from the installed tool (exit $rc, wrote ${result#"$tmp/demo/"})"
else
  tail -20 "$tmp/demo.log"; ko "scangate demo from the installed tool (exit $rc, scangate-result.json ${result:-not written})"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
