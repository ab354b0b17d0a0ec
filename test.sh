#!/usr/bin/env bash
# Runs every test of ScanGate on a fresh machine: installs what the tests need, builds with warnings as errors,
# runs the .NET test suites and the extra checks in .ci/steps/, and ends with the line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
out_dir=.ci/out
mkdir -p "$out_dir"

total_passed=0
total_failed=0
status=0

# 1. Prerequisites (Debian packages, npm tools). Each install-*.sh is idempotent.
for step in .ci/steps/install-*.sh; do
  [ -e "$step" ] || continue
  echo "== $step"
  if ! bash "$step"; then echo "prerequisite step failed: $step"; status=1; fi
done

# 2. Build everything with warnings as errors (set in Directory.Build.props).
echo "== dotnet build"
if ! dotnet build ScanGate.slnx -c Release -warnaserror 2>&1 | tee "$out_dir/build.txt" | grep -E "error|Warn|Error|Elapsed"; then :; fi
if ! grep -q " 0 Error(s)" "$out_dir/build.txt"; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# 3. The .NET test suites (xunit.v3 on Microsoft.Testing.Platform).
echo "== dotnet test"
dotnet test --solution ScanGate.slnx -c Release --no-build 2>&1 | tee "$out_dir/test.txt"
rc=${PIPESTATUS[0]}
p=$(awk '/^  succeeded:/{print $2}' "$out_dir/test.txt" | tail -1)
f=$(awk '/^  failed:/{print $2}' "$out_dir/test.txt" | tail -1)
total_passed=$((total_passed + ${p:-0}))
total_failed=$((total_failed + ${f:-0}))
if [ "$rc" -ne 0 ]; then status=1; [ "${f:-0}" -eq 0 ] && total_failed=$((total_failed + 1)); fi

# 4. Extra checks (SARIF validation, Groovy tests, packaging, demo). Each ends with its own "N passed, N failed".
for step in .ci/steps/check-*.sh; do
  [ -e "$step" ] || continue
  echo "== $step"
  bash "$step" 2>&1 | tee "$out_dir/step.txt"
  step_rc=${PIPESTATUS[0]}
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out_dir/step.txt" | tail -1)
  sp=$(echo "$line" | awk '{print $1}')
  sf=$(echo "$line" | awk '{print $3}')
  total_passed=$((total_passed + ${sp:-0}))
  total_failed=$((total_failed + ${sf:-0}))
  if [ "$step_rc" -ne 0 ]; then status=1; [ "${sf:-0}" -eq 0 ] && total_failed=$((total_failed + 1)); fi
done

echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ] || status=1
exit $status
