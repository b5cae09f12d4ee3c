#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on a loopback port, for the PostgreSQL tests and benchmarks.
#
#   .ci/postgres.sh start   # starts it (idempotent) and prints its URL on standard output
#   .ci/postgres.sh stop    # stops it and deletes its data folder
#   .ci/postgres.sh url     # prints the URL without starting anything
#   .ci/postgres.sh status  # exit 0 when it runs
#
# Environment:
#   HYPERION_PG_PORT  port on 127.0.0.1                       (default 54329)
#   HYPERION_PG_DIR   folder for data, socket and log          (default /tmp/hyperion-pg-<port>)
#   HYPERION_PG_BIN   folder holding initdb and pg_ctl          (default: found, see below)
#
# The binaries are looked up in HYPERION_PG_BIN, `pg_config --bindir`, the newest
# /usr/lib/postgresql/<version>/bin and the PATH; when none is found and apt-get can run (as
# root), the `postgresql` package is installed. Exit code 3 means PostgreSQL is not available
# and cannot be installed. As root, the cluster runs as the `postgres` user (initdb refuses
# root). Authentication is `trust` on 127.0.0.1 only; the user is `hyperion`, the database
# `postgres`. Progress goes to standard error; only the URL goes to standard output.
set -euo pipefail

PORT="${HYPERION_PG_PORT:-54329}"
DIR="${HYPERION_PG_DIR:-/tmp/hyperion-pg-${PORT}}"
USER_NAME="hyperion"
URL="postgresql://${USER_NAME}@127.0.0.1:${PORT}/postgres"

say() { echo "postgres.sh: $*" >&2; }

find_bin() {
  local candidate
  for candidate in "${HYPERION_PG_BIN:-}" \
    "$(command -v pg_config >/dev/null 2>&1 && pg_config --bindir 2>/dev/null || true)" \
    "$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"; do
    if [ -n "$candidate" ] && [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
      echo "$candidate"
      return 0
    fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v initdb)")"
    return 0
  fi
  return 1
}

ensure_bin() {
  if BIN="$(find_bin)"; then return 0; fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    say "PostgreSQL binaries not found: installing the 'postgresql' package with apt-get"
    if DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2; then
      if BIN="$(find_bin)"; then return 0; fi
    fi
  fi
  say "PostgreSQL is not installed and cannot be installed here (needs initdb and pg_ctl)"
  exit 3
}

# Runs a command as the cluster's owner: the postgres user when we are root, else ourselves.
as_owner() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

running() {
  [ -f "$DIR/data/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1
}

start() {
  ensure_bin
  if running; then
    say "already running on 127.0.0.1:${PORT} ($DIR)"
    echo "$URL"
    return 0
  fi
  if [ -e "$DIR" ]; then
    say "removing the leftovers of an earlier cluster in $DIR"
    rm -rf "$DIR"
  fi
  mkdir -p "$DIR"
  if [ "$(id -u)" = "0" ]; then
    if ! id postgres >/dev/null 2>&1; then
      useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    fi
    chown postgres "$DIR"
  fi
  as_owner "$BIN/initdb" -D "$DIR/data" -U "$USER_NAME" --auth=trust -E UTF8 --no-sync \
    >"$DIR/initdb.log" 2>&1 || {
    say "initdb failed:"
    cat "$DIR/initdb.log" >&2
    exit 1
  }
  as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
    -o "-p ${PORT} -k ${DIR} -c listen_addresses=127.0.0.1 -c max_connections=200" \
    start >/dev/null 2>&1 || {
    say "the server did not start:"
    cat "$DIR/server.log" >&2 || true
    exit 1
  }
  say "started on 127.0.0.1:${PORT} ($DIR)"
  echo "$URL"
}

stop() {
  if BIN="$(find_bin)" && running; then
    as_owner "$BIN/pg_ctl" -D "$DIR/data" stop -m fast -w -t 60 >/dev/null 2>&1 || true
    say "stopped the cluster on 127.0.0.1:${PORT}"
  fi
  rm -rf "$DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) echo "$URL" ;;
  status)
    ensure_bin
    running
    ;;
  *)
    echo "usage: $0 start|stop|url|status" >&2
    exit 2
    ;;
esac
