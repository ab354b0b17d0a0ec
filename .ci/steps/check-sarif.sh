#!/usr/bin/env bash
# Renders SARIF with the real CLI (`scangate report`) from the hand-written sample result and from a result whose
# findings carry script/markup payloads, and validates each with the official `sarif-multitool validate`.
# Also checks that a truncated result is refused (exit 2) and writes no report. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."

passed=0
failed=0
pass() { echo "PASS: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1"; failed=$((failed + 1)); }

# The native multitool binary from the npm package (its bin.js goes through a shell, which splits "a;b" arguments).
multitool=.ci/tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
if [ ! -x "$multitool" ]; then
  bash .ci/steps/install-reports.sh >/dev/null 2>&1 || true
fi
if [ ! -x "$multitool" ]; then
  fail "sarif-multitool is not installed (.ci/steps/install-reports.sh)"
  echo "$passed passed, $failed failed"
  exit 1
fi

# validate FILE LOG: runs the multitool with every level and prints "errors warnings notes" from its SARIF output.
validate() {
  "$multitool" validate "$1" --output "$2.sarif" --log ForceOverwrite --level "Error;Warning;Note" >"$2.log" 2>&1 || { echo "tool-failed"; return; }
  python3 - "$2.sarif" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["runs"][0].get("results") or []
levels = [r.get("level", "warning") for r in results]
print(levels.count("error"), levels.count("warning"), levels.count("note"))
PY
}

# The Release build from test.sh, else the Debug build of a developer.
cli=""
for c in artifacts/bin/ScanGate.Cli/release/scangate.dll artifacts/bin/ScanGate.Cli/debug/scangate.dll; do
  if [ -f "$c" ]; then cli="$c"; break; fi
done
if [ -z "$cli" ]; then
  dotnet build src/ScanGate.Cli/ScanGate.Cli.csproj -v q -nologo >/dev/null 2>&1
  cli=artifacts/bin/ScanGate.Cli/debug/scangate.dll
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp tests/ScanGate.Core.Tests/Reports/Fixtures/sample-result.json "$work/sample-result.json"

# A payload result: every text field carries markup, quotes, control-ish and JSON-breaking text.
python3 - "$work/payload-result.json" <<'PY'
import json, sys
p = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'\\ \u2028 ]]> {{7*7}}"
f = lambda i: {"host": "10.0.0.%d" % i, "dns": p, "netbios": p, "os": p, "qid": 90000 + i, "title": p, "severity": 1 + i % 5,
     "type": "potential" if i == 3 else "confirmed", "category": p, "port": p, "protocol": p, "cves": [p], "cvss2": None,
     "cvss2_vector": p, "cvss3": 9.8 if i == 0 else None, "cvss3_vector": p, "pci": True, "exploitable": True, "malware": True,
     "bugtraq_id": p, "results": p, "solution": p, "evaluated": i != 3, "matched": ["severity"] if i < 2 else [], "warned": [],
     "excluded": {"by": "qid", "value": p} if i == 4 else None, "excepted": None}
doc = {"schema_version": 1, "tool": {"name": "ScanGate", "version": "0.1.0"}, "generated_at": "2026-11-28T10:00:00Z",
       "verdict": "fail", "exit_code": 1, "source": {"kind": "file", "path": p}, "scan": {"ref": p, "title": p, "target": p},
       "policy": None, "criteria": {"severity": {"configured": 4, "found": 2, "passed": False}}, "warn_criteria": {},
       "counts": {"rows": 5, "confirmed": {}, "potential": {}, "information_gathered": 0, "evaluated": 4, "excluded": 1, "excepted": 0},
       "failure_reasons": [p], "warning_reasons": [], "warnings": [], "exceptions": [], "findings": [f(i) for i in range(5)]}
json.dump(doc, open(sys.argv[1], "w"))
PY

for name in sample payload; do
  out="$work/$name"
  if dotnet "$cli" report "$work/$name-result.json" --format sarif --output-dir "$out" --sarif-target .ci/scangate.yml >"$work/$name.log" 2>&1; then
    pass "$name: scangate report --format sarif exits 0"
  else
    fail "$name: scangate report --format sarif failed: $(tail -3 "$work/$name.log")"
    continue
  fi
  read -r errors warnings notes <<<"$(validate "$out/scangate.sarif" "$work/$name-validation")"
  if [ "$errors" = "0" ] && [ "$warnings" = "0" ]; then
    pass "$name: sarif-multitool validate: 0 errors, 0 warnings ($notes guideline notes)"
  else
    fail "$name: sarif-multitool validate: errors=$errors warnings=$warnings; $(grep -E ' (error|warning) ' "$work/$name-validation.log" | head -5)"
  fi
done

# Control: the validator does report a broken log (so a pass above means something).
echo '{"version":"2.1.0","runs":[{"tool":{}}]}' > "$work/broken.sarif"
read -r errors _ _ <<<"$(validate "$work/broken.sarif" "$work/broken-validation")"
if [ "$errors" != "0" ] && [ "$errors" != "tool-failed" ]; then
  pass "control: the multitool reports $errors error(s) in a broken SARIF log"
else
  fail "control: the multitool did not flag a broken SARIF log"
fi

# Fail closed: a truncated result is refused and leaves no report behind.
head -c 2000 "$work/sample-result.json" > "$work/cut.json"
dotnet "$cli" report "$work/cut.json" --format sarif,html --output-dir "$work/cut" >"$work/cut.log" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && [ ! -e "$work/cut/scangate.sarif" ]; then
  pass "truncated result: exit 2, no report written"
else
  fail "truncated result: exit $rc ($(tail -1 "$work/cut.log"))"
fi

dotnet "$cli" report "$work/sample-result.json" --format sarif,pdf >"$work/bad.log" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q "'pdf'" "$work/bad.log"; then
  pass "unknown format: exit 2 naming 'pdf'"
else
  fail "unknown format: exit $rc ($(tail -1 "$work/bad.log"))"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
