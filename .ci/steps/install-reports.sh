#!/usr/bin/env bash
# Prerequisites of the report checks: Debian's chromium (browser tests of the HTML report, driven by Playwright
# without `playwright install`) and the official SARIF multitool (check-sarif.sh). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v chromium >/dev/null 2>&1; then
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi
chromium --version

tools=.ci/tools
if [ ! -x "$tools/node_modules/.bin/sarif-multitool" ]; then
  mkdir -p "$tools"
  [ -f "$tools/.gitignore" ] || printf '*\n!.gitignore\n' > "$tools/.gitignore"
  [ -f "$tools/package.json" ] || echo '{"name":"scangate-ci-tools","private":true}' > "$tools/package.json"
  npm install --prefix "$tools" --no-audit --no-fund --silent @microsoft/sarif-multitool@5.7.0
fi
"$tools/node_modules/.bin/sarif-multitool" --version || true
