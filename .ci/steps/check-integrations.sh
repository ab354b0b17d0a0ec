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
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
