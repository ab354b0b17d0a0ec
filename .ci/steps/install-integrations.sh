#!/usr/bin/env bash
# Installs Debian's groovy (Jenkins shared library tests, generated Jenkinsfile parse check). Idempotent.
set -euo pipefail
if command -v groovy >/dev/null 2>&1; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends groovy
