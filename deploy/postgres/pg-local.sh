#!/usr/bin/env bash
# pg-local.sh - Tuoguan's local PostgreSQL: Debian's server binaries, a cluster of the project's own
# in <repo>/.state/postgres, listening on 127.0.0.1 only, password (SCRAM) authentication for TCP.
#
#   pg-local.sh start    install Debian's postgresql when missing, initdb once, start, wait until ready
#   pg-local.sh stop     fast shutdown
#   pg-local.sh status   exit 0 = accepting connections, 3 = stopped
#   pg-local.sh url      print the superuser URL (the provisioner creates one role and database per service)
#   pg-local.sh reset    stop and delete the cluster
#   pg-local.sh discard  immediate shutdown and delete (a test's throwaway cluster)
#
# Environment (all optional): PG_LOCAL_STATE=<dir> PG_PORT=55432 PG_HOST=127.0.0.1
# PostgreSQL refuses to run as root, so as root the cluster runs as the OS user `postgres`
# (created by Debian's package).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE_DIR="${PG_LOCAL_STATE:-$(cd "$HERE/../.." && pwd)/.state/postgres}"
# As root the cluster belongs to the OS user `postgres`, which must be able to reach STATE_DIR.
# If the checkout sits below a directory it cannot enter (a 0700 home, say), keep the cluster in
# /var/tmp instead, under a name derived from the checkout's path, and say so.
if [[ "$(id -u)" == 0 && -z "${PG_LOCAL_STATE:-}" ]] && getent passwd postgres >/dev/null; then
  mkdir -p "$STATE_DIR"
  if ! runuser -u postgres -- test -x "$(dirname "$STATE_DIR")"; then
    STATE_DIR="/var/tmp/tuoguan-postgres-$(echo "$STATE_DIR" | sha256sum | cut -c1-12)"
    echo "pg-local: the postgres user cannot enter the checkout; cluster kept in $STATE_DIR" >&2
  fi
fi
DATA_DIR="$STATE_DIR/data"
LOG_FILE="$STATE_DIR/postgres.log"
PW_FILE="$STATE_DIR/superuser.password"
HOST="${PG_HOST:-127.0.0.1}"
PORT="${PG_PORT:-55432}"
SUPERUSER="tuoguan_admin"

die() { echo "pg-local: $*" >&2; exit 1; }
log() { echo "pg-local: $*" >&2; }

find_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [[ -x "$d/initdb" && -x "$d/pg_ctl" ]] && { echo "$d"; return 0; }
  done
  return 1
}

ensure_server() {
  find_bindir >/dev/null && return 0
  [[ "$(id -u)" == 0 ]] || die "PostgreSQL server is not installed; run: apt-get install -y postgresql"
  log "installing Debian's postgresql package"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null; } \
    || die "apt-get install postgresql failed"
  find_bindir >/dev/null || die "postgresql installed but no initdb found under /usr/lib/postgresql"
}

# Run a server binary as the cluster's owner.
as_owner() {
  if [[ "$(id -u)" == 0 ]]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

pg() { local bin; bin="$(find_bindir)"; as_owner "$bin/$1" "${@:2}"; }

is_ready() { [[ -f "$DATA_DIR/PG_VERSION" ]] && pg pg_isready -q -h "$HOST" -p "$PORT" >/dev/null 2>&1; }

cmd_init() {
  [[ -f "$DATA_DIR/PG_VERSION" ]] && return 0
  mkdir -p "$STATE_DIR"
  [[ -s "$PW_FILE" ]] || (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$PW_FILE")
  if [[ "$(id -u)" == 0 ]]; then
    chown postgres: "$STATE_DIR"
    chown postgres: "$PW_FILE"
  fi
  log "initdb $DATA_DIR"
  pg initdb -D "$DATA_DIR" -U "$SUPERUSER" --pwfile="$PW_FILE" -E UTF8 --locale=C.UTF-8 \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 >"$STATE_DIR/initdb.log" 2>&1 \
    || { cat "$STATE_DIR/initdb.log" >&2; die "initdb failed"; }
  cat >>"$DATA_DIR/postgresql.conf" <<EOF
# ---- appended by pg-local.sh ----
listen_addresses = '$HOST'
port = $PORT
unix_socket_directories = '$STATE_DIR'
max_connections = 300
shared_buffers = 256MB
fsync = on
log_min_messages = warning
EOF
}

cmd_start() {
  ensure_server
  if is_ready; then log "already running on $HOST:$PORT"; return 0; fi
  cmd_init
  log "starting PostgreSQL $(pg postgres --version | awk '{print $3}') on $HOST:$PORT"
  pg pg_ctl -D "$DATA_DIR" -l "$LOG_FILE" -w -t 60 start >/dev/null \
    || { tail -n 30 "$LOG_FILE" >&2; die "pg_ctl start failed"; }
  log "PostgreSQL is up"
}

cmd_stop() {
  if [[ -f "$DATA_DIR/postmaster.pid" ]] && find_bindir >/dev/null; then
    pg pg_ctl -D "$DATA_DIR" -m fast -w -t 60 stop >/dev/null || true
  fi
  log "stopped"
}

cmd_status() {
  if is_ready; then echo "running on $HOST:$PORT"; return 0; fi
  echo "stopped"; return 3
}

cmd_url() {
  [[ -s "$PW_FILE" ]] || die "no cluster yet; run '$0 start'"
  echo "postgresql://$SUPERUSER:$(<"$PW_FILE")@$HOST:$PORT/postgres"
}

case "${1:-}" in
  start)  cmd_start ;;
  stop)   cmd_stop ;;
  status) cmd_status ;;
  url)    cmd_url ;;
  reset)  cmd_stop; rm -rf "$STATE_DIR"; log "removed $STATE_DIR" ;;
  discard)
    if [[ -f "$DATA_DIR/postmaster.pid" ]] && find_bindir >/dev/null; then
      pg pg_ctl -D "$DATA_DIR" -m immediate -w -t 30 stop >/dev/null || true
    fi
    rm -rf "$STATE_DIR"; log "discarded $STATE_DIR" ;;
  *)      echo "usage: $0 {start|stop|status|url|reset|discard}" >&2; exit 2 ;;
esac
