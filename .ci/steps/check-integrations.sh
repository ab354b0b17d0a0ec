#!/usr/bin/env bash
# Jenkins shared library tests (Groovy, stubbed pipeline steps) and a parse check of the generated Jenkinsfile
# fragments. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${JAVA_HOME:-}" ] || [ ! -x "${JAVA_HOME}/bin/java" ]; then
  # Debian's default-java link is missing on this image: take the first installed JDK.
  for jdk in /usr/lib/jvm/default-java /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/*; do
    if [ -x "$jdk/bin/java" ]; then export JAVA_HOME="$jdk"; break; fi
  done
fi
if ! command -v groovy >/dev/null 2>&1; then
  echo "groovy is not installed (run .ci/steps/install-integrations.sh)"
  echo "0 passed, 1 failed"
  exit 1
fi
passed=0
failed=0
out=$(groovy -cp integrations/jenkins/test integrations/jenkins/test/QualysVulnerabilityAnalyzerTest.groovy integrations/jenkins/vars 2>&1)
rc=$?
echo "$out"
line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
passed=$((passed + $(echo "$line" | awk '{print $1+0}')))
failed=$((failed + $(echo "$line" | awk '{print $3+0}')))
if [ "$rc" -ne 0 ] && [ -z "$line" ]; then failed=$((failed + 1)); fi

# Generated Jenkinsfiles (golden files of `scangate pipeline jenkins`) must compile and, run through the real step,
# give the same scangate flags as the generated shell fragment of the same scenario.
for f in tests/ScanGate.Core.Tests/Expectations/Pipelines/jenkins-*.verified.groovy; do
  [ -e "$f" ] || continue
  gh="${f/jenkins-/github-}"; gh="${gh%.groovy}.yml"
  if groovy -cp integrations/jenkins/test integrations/jenkins/test/JenkinsfileTest.groovy "$f" "$gh" integrations/jenkins/vars; then
    echo "PASS generated $f"; passed=$((passed + 1))
  else
    echo "FAIL generated $f"; failed=$((failed + 1))
  fi
done
# End to end against the Qualys emulator with the real scangate: the Jenkins step (plugin-style parameters) and the
# GitLab template's script. Needs the built CLI (test.sh builds Release first).
exe=""
for candidate in artifacts/bin/ScanGate.Cli/release/scangate artifacts/bin/ScanGate.Cli/debug/scangate; do
  if [ -x "$candidate" ]; then exe="$PWD/$candidate"; break; fi
done
if [ -z "$exe" ]; then
  echo "FAIL end-to-end: scangate is not built"; failed=$((failed + 1))
else
  e2e=$(mktemp -d)
  "$exe" emulator --port 0 --speed 20 > "$e2e/emulator.log" 2>&1 &
  emulator_pid=$!
  url=""
  for _ in $(seq 50); do url=$(head -1 "$e2e/emulator.log" 2>/dev/null | grep -o 'http://127.0.0.1:[0-9]*' || true); [ -n "$url" ] && break; sleep 0.2; done
  if [ -z "$url" ]; then
    cat "$e2e/emulator.log"; echo "FAIL end-to-end: the emulator did not start"; failed=$((failed + 1))
  else
    mkdir -p "$e2e/jenkins"
    if groovy -cp integrations/jenkins/test integrations/jenkins/test/JenkinsStepE2E.groovy integrations/jenkins/vars "$exe" "$url/" "$e2e/jenkins"; then
      echo "PASS e2e Jenkins step (plugin parameters) against the emulator"; passed=$((passed + 1))
    else
      echo "FAIL e2e Jenkins step against the emulator"; failed=$((failed + 1))
    fi
    awk '/^    - \|$/{n++} n==2 && !/^    - \|$/ {if ($0 ~ /^  allow_failure:/) exit; sub(/^      /, ""); print}' \
      integrations/gitlab/scangate.gitlab-ci.yml > "$e2e/gate.sh"
    for case in "192.0.2.10 1" "192.0.2.11 0"; do
      set -- $case
      mkdir -p "$e2e/gitlab-$1"
      ( cd "$e2e/gitlab-$1" && env -i PATH="$PATH" HOME="${HOME:-/tmp}" SCANGATE_BIN="$exe" QUALYS_USERNAME=demo QUALYS_PASSWORD=demo \
          SCANGATE_API_URL="$url" SCANGATE_HOST="$1" SCANGATE_FAIL_ON_SEVERITY=4 SCANGATE_POLL_INTERVAL=10s \
          SCANGATE_OUTPUT_DIR=out SCANGATE_REPORT=html,junit,sarif,markdown,json bash "$e2e/gate.sh" > run.log 2>&1 )
      rc=$?
      if [ "$rc" -eq "$2" ] && [ -f "$e2e/gitlab-$1/out/scangate-junit.xml" ] && [ -f "$e2e/gitlab-$1/out/scangate.sarif" ]; then
        echo "PASS e2e GitLab template script, host $1: exit $rc and reports written"; passed=$((passed + 1))
      else
        tail -20 "$e2e/gitlab-$1/run.log"; echo "FAIL e2e GitLab template script, host $1: exit $rc (expected $2)"; failed=$((failed + 1))
      fi
    done
    # The GitHub Action's gate step: records the exit code as a step output (the last step fails the job).
    awk '/^    - id: gate$/{g=1} g && /^      run: \|$/{r=1; next} r && /^    - /{exit} r {sub(/^        /, ""); print}' \
      integrations/github/action.yml > "$e2e/action-gate.sh"
    mkdir -p "$e2e/github"
    ( cd "$e2e/github" && env -i PATH="$PATH" HOME="${HOME:-/tmp}" SCANGATE_BIN="$exe" QUALYS_USERNAME=demo QUALYS_PASSWORD=demo \
        GITHUB_OUTPUT="$e2e/github/outputs" SG_API_URL="$url" SG_HOST="192.0.2.10" SG_FAIL_ON_SEVERITY=5 SG_FAIL_ON_PCI=true \
        SG_POLL_INTERVAL=10s SG_OUTPUT_DIR=out SG_REPORT=junit,sarif,markdown bash "$e2e/action-gate.sh" > run.log 2>&1 )
    if grep -qx "exit-code=1" "$e2e/github/outputs" 2>/dev/null && [ -f "$e2e/github/out/scangate-summary.md" ]; then
      echo "PASS e2e GitHub Action gate step: exit-code=1 recorded, summary written"; passed=$((passed + 1))
    else
      tail -20 "$e2e/github/run.log"; cat "$e2e/github/outputs" 2>/dev/null; echo "FAIL e2e GitHub Action gate step"; failed=$((failed + 1))
    fi
  fi
  kill "$emulator_pid" 2>/dev/null; wait "$emulator_pid" 2>/dev/null
  rm -rf "$e2e"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
