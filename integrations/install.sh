#!/usr/bin/env bash
# Installs the scangate dotnet tool (package ScanGate.Tool) into a tool path and prints the path of the executable.
# Used by the GitHub Action and the packaging check; the GitLab/Azure templates and the Jenkins step run the same
# `dotnet tool install`. Needs the .NET 10 SDK or later (the package resolves to a
# precompiled build for the platform; the tool rolls forward to the newest runtime).
#   install.sh [--tool-path DIR] [--version V] [--add-source FEED]
# Idempotent: an existing install of the requested version is kept.
set -euo pipefail
tool_path=".scangate/tool"
version=""
source=""
while [ $# -gt 0 ]; do
  case "$1" in
    --tool-path) tool_path="$2"; shift 2 ;;
    --version) version="$2"; shift 2 ;;
    --add-source) source="$2"; shift 2 ;;
    *) echo "install.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if ! command -v dotnet >/dev/null 2>&1; then
  echo "install.sh: the .NET SDK (dotnet) is required to install ScanGate.Tool" >&2
  exit 2
fi
exe="$tool_path/scangate"
if [ -x "$exe" ] && { [ -z "$version" ] || "$exe" --version 2>/dev/null | grep -qx "$version\(+.*\)\?"; }; then
  echo "$exe"
  exit 0
fi
args=(tool install --tool-path "$tool_path" ScanGate.Tool)
[ -n "$version" ] && args+=(--version "$version")
[ -n "$source" ] && args+=(--add-source "$source")
if [ -x "$exe" ]; then
  args[1]=update  # a different version is installed: `dotnet tool update` replaces it
fi
dotnet "${args[@]}" >&2
echo "$exe"
