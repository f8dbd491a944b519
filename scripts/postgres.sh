#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for tests and local development.
#
#   bash scripts/postgres.sh install     # PostgreSQL 15 from apt, only if it is missing
#   bash scripts/postgres.sh start DIR   # new cluster in DIR/data on a free loopback port;
#                                        # prints one line: postgres://ledgerkit@127.0.0.1:PORT/ledgerkit
#                                        # (also written to DIR/url)
#   bash scripts/postgres.sh stop DIR    # fast shutdown, then removes DIR
#
# The cluster listens on 127.0.0.1 only (trust authentication there, fine for a test
# server), keeps its unix socket inside DIR, and runs with fsync on: durability is what
# the tests check. PostgreSQL refuses to run as root, so as root the server runs as the
# `postgres` user, which then owns DIR. The Debian cluster service is never used.
# Output of the PostgreSQL tools goes to DIR/*.log; stderr carries errors only.
set -euo pipefail

bin_dir=${LEDGERKIT_PG_BIN:-/usr/lib/postgresql/15/bin}
role=ledgerkit
database=ledgerkit

die() {
  echo "postgres.sh: $*" >&2
  exit 1
}

# Runs a command as the user that owns the cluster.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Prints the last lines of a log file to stderr, to explain a failure.
show_log() {
  if [ -f "$1" ]; then
    echo "postgres.sh: last lines of $1:" >&2
    tail -n 20 "$1" >&2 || true
  fi
}

cmd_install() {
  if [ -x "$bin_dir/pg_ctl" ]; then
    return 0
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "installing PostgreSQL needs root (or sudo)"
    sudo=(sudo)
  fi
  local log
  log=$(mktemp)
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$log" 2>&1 ||
    ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >>"$log" 2>&1; then
    show_log "$log"
    rm -f "$log"
    die "apt-get could not install postgresql"
  fi
  rm -f "$log"
  [ -x "$bin_dir/pg_ctl" ] || die "postgresql was installed but $bin_dir/pg_ctl is missing (not PostgreSQL 15?)"
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# True when the cluster in DIR/data is running.
running() {
  [ -f "$1/data/postmaster.pid" ] && as_owner "$bin_dir/pg_ctl" status -D "$1/data" >/dev/null 2>&1
}

cmd_start() {
  local dir=${1:-}
  [ -n "$dir" ] || die "usage: postgres.sh start DIR"
  cmd_install
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if running "$dir" && [ -f "$dir/url" ]; then
    cat "$dir/url"
    return 0
  fi
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$dir"
  fi
  chmod 700 "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    rm -rf "$dir/data"
    if ! as_owner "$bin_dir/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C \
      --auth-local=trust --auth-host=trust >"$dir/initdb.log" 2>&1; then
      show_log "$dir/initdb.log"
      die "initdb failed in $dir/data"
    fi
  fi
  as_owner mkdir -p "$dir/socket"

  # A random port in the dynamic range that nothing answers on; should another process
  # take it first, the server fails to bind and the next candidate is tried.
  local port='' attempt
  for attempt in $(seq 1 20); do
    local candidate=$((20000 + RANDOM % 30000))
    port_in_use "$candidate" && continue
    if as_owner "$bin_dir/pg_ctl" start -w -t 60 -D "$dir/data" -l "$dir/server.log" \
      -o "-c listen_addresses=127.0.0.1 -p $candidate -k $dir/socket -c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=200" \
      >"$dir/pg_ctl.log" 2>&1; then
      port=$candidate
      break
    fi
    if ! grep -qi 'could not bind\|address already in use\|could not create any TCP/IP sockets' "$dir/server.log" 2>/dev/null; then
      show_log "$dir/server.log"
      die "PostgreSQL did not start in $dir (attempt $attempt)"
    fi
  done
  [ -n "$port" ] || die "no free loopback port found for PostgreSQL"

  local psql=("$bin_dir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/socket" -p "$port" -U postgres -d postgres)
  if ! as_owner "${psql[@]}" >"$dir/psql.log" 2>&1 <<SQL; then
SELECT 'CREATE ROLE $role LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') \gexec
SELECT 'CREATE DATABASE $database OWNER $role' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$database') \gexec
SQL
    show_log "$dir/psql.log"
    die "cannot create role and database $database"
  fi

  local url="postgres://$role@127.0.0.1:$port/$database"
  echo "$url" >"$dir/url.tmp"
  mv "$dir/url.tmp" "$dir/url"
  echo "$url"
}

cmd_stop() {
  local dir=${1:-}
  [ -n "$dir" ] || die "usage: postgres.sh stop DIR"
  [ -d "$dir" ] || return 0
  dir=$(cd "$dir" && pwd)
  local pid_file="$dir/data/postmaster.pid"
  if [ -f "$pid_file" ]; then
    local pid
    pid=$(head -n 1 "$pid_file")
    as_owner "$bin_dir/pg_ctl" stop -D "$dir/data" -m fast -w -t 30 >/dev/null 2>&1 || true
    # The postmaster takes its children down with it; if it did not stop, make it.
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      as_owner "$bin_dir/pg_ctl" stop -D "$dir/data" -m immediate -w -t 10 >/dev/null 2>&1 || true
    fi
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
    local waited
    for waited in $(seq 1 100); do
      if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
        break
      fi
      sleep 0.1
    done
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      die "PostgreSQL (pid $pid) in $dir did not stop"
    fi
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start "${2:-}" ;;
  stop) cmd_stop "${2:-}" ;;
  *) die "usage: postgres.sh install | start DIR | stop DIR" ;;
esac
