#!/usr/bin/env bash
# Make sure Debian's headless Chromium and its driver are installed for the portal's browser
# tests (/usr/bin/chromium, /usr/bin/chromedriver). Installs them with apt-get where missing.
# Idempotent; CI machines start bare, so the tests' setup and `make test` call it.
set -euo pipefail

log() { echo "[browser] $*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
log "installing chromium and chromium-driver"
as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  chromium chromium-driver fonts-dejavu-core >/dev/null
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || { log "chromium did not install"; exit 1; }
log "chromium and chromedriver are installed"
