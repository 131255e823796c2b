#!/usr/bin/env bash
# Make sure local Postgres (127.0.0.1:5432, trust auth) and Redis (127.0.0.1:6379) are up.
# Installs them with apt-get where missing, starts them where stopped, and the Pango libraries
# the statement PDFs need. Idempotent.
set -euo pipefail

log() { echo "[infra] $*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql postgresql-client)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# WeasyPrint lays out statement PDFs with Pango (HarfBuzz shapes the Persian, fontconfig finds fonts).
ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || missing+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  log "starting postgres $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 60); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 0.5; done
fi
pg_isready -h 127.0.0.1 -p 5432 -q || { log "postgres did not start"; exit 1; }

# A fresh Debian install asks for passwords over TCP; local development uses trust.
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  hba=/etc/postgresql/$version/main/pg_hba.conf
  log "enabling trust auth for 127.0.0.1 in $hba (local development only)"
  as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload
  sleep 1
  psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null || { log "cannot connect to postgres"; exit 1; }
fi

# The tests run many stacks one after another (each service with its pool, replicas, standbys):
# Debian's 100 connections can run out while a stack that just stopped still holds some.
MIN_CONNECTIONS=300
if [ -d /etc/postgresql ] && \
   [ "$(psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'show max_connections')" -lt "$MIN_CONNECTIONS" ]; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  log "raising postgres max_connections to $MIN_CONNECTIONS (restarts postgres)"
  psql -h 127.0.0.1 -U postgres -d postgres -Atqc "ALTER SYSTEM SET max_connections = $MIN_CONNECTIONS" >/dev/null
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main restart || log "postgres not restarted; the new limit waits for its next start"
  for _ in $(seq 1 60); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 0.5; done
  pg_isready -h 127.0.0.1 -p 5432 -q || { log "postgres did not come back"; exit 1; }
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  log "starting redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 1 40); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.25; done
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { log "redis did not start"; exit 1; }
log "postgres and redis are up"
