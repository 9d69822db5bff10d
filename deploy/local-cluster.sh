#!/usr/bin/env bash
# The production shape on this Debian machine, from Debian's packages: nginx (deploy/nginx/stinger.conf,
# as it is) in front of several stinger-api processes on one PostgreSQL database, with Redis.
#
#   deploy/local-cluster.sh up      start it (migrating, loading the demo data once) and leave it running
#   deploy/local-cluster.sh check   start it, check it through nginx, stop it (what .ci/run does)
#   deploy/local-cluster.sh down    stop what `up` started (the database is kept)
#
# Installs nginx, postgresql and redis-server with apt when missing (as root). Uses the binaries
# in STINGER_BIN_DIR (default: target/release if built there, else target/debug; build them first
# with `cargo build --release --bins`). Settings, all optional:
#   STINGER_CLUSTER_DIR        state, logs, configuration   (/tmp/stinger-cluster)
#   STINGER_CLUSTER_PORT       nginx's port                  (8090)
#   STINGER_CLUSTER_API_PORTS  one stinger-api per port      ("8091 8092")
#   STINGER_CLUSTER_DB         the PostgreSQL database       (stinger_cluster; `check` uses and drops stinger_cluster_check)
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$PWD
action=${1:-}
dir=${STINGER_CLUSTER_DIR:-/tmp/stinger-cluster}
port=${STINGER_CLUSTER_PORT:-8090}
read -r -a api_ports <<<"${STINGER_CLUSTER_API_PORTS:-8091 8092}"
pg_admin=postgres://postgres@127.0.0.1:5432/postgres
if [ -z "${STINGER_BIN_DIR:-}" ]; then
  STINGER_BIN_DIR=$repo/target/debug
  [ -x "$repo/target/release/stinger-api" ] && STINGER_BIN_DIR=$repo/target/release
fi
api=$STINGER_BIN_DIR/stinger-api
admin=$STINGER_BIN_DIR/stinger-admin
nginx=/usr/sbin/nginx
base=http://127.0.0.1:$port

say() { echo "local-cluster: $*" >&2; }
die() {
  say "FAILED: $*"
  exit 1
}

usage() {
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

# --- packages and services -------------------------------------------------------------------

apt_install() {
  [ "$(id -u)" -eq 0 ] || die "$* missing: install it (apt-get install $*) or run as root"
  say "installing $* with apt"
  # Debian starts a service when its package is installed; this script runs its own instances.
  local policy=/usr/sbin/policy-rc.d added=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && added=1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  [ -n "$added" ] && rm -f "$policy"
  return 0
}

ensure_packages() {
  local missing=()
  [ -x "$nginx" ] || missing+=(nginx)
  command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v curl >/dev/null || missing+=(curl)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

ensure_postgres() {
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    local cluster
    cluster=$(ls /etc/postgresql | head -n 1)
    say "starting PostgreSQL $cluster"
    pg_ctlcluster --skip-systemctl-redirect "$cluster" main start 2>/dev/null || pg_ctlcluster "$cluster" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  pg_isready -q -h 127.0.0.1 -p 5432 || die "PostgreSQL does not answer on 127.0.0.1:5432"
}

ensure_redis() {
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    say "starting Redis"
    redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save '' --appendonly no >/dev/null
    for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.25; done
  fi
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || die "Redis does not answer on 127.0.0.1:6379"
}

# --- the cluster -----------------------------------------------------------------------------

database_url() { echo "postgres://postgres@127.0.0.1:5432/$db"; }

prepare_database() {
  if [ -z "$(psql "$pg_admin" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
    say "creating database $db"
    psql "$pg_admin" -qc "CREATE DATABASE $db" >/dev/null
  fi
  DATABASE_URL=$(database_url) "$admin" migrate >/dev/null
  # The demo data, once (an import adds nothing already present, but reading it takes time).
  if [ "$(psql "$(database_url)" -tAc 'SELECT count(*) FROM film')" = 0 ]; then
    say "loading the demo data"
    DATABASE_URL=$(database_url) "$admin" import demo >/dev/null
  fi
}

# The environment every process shares, as /etc/stinger/stinger.env would give it.
write_environment() {
  mkdir -p "$dir"
  chmod 0700 "$dir"
  if [ ! -s "$dir/secret" ]; then
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/secret")
  fi
  cat >"$dir/stinger.env" <<EOF
DATABASE_URL=$(database_url)
STINGER_JWT_SECRET=$(cat "$dir/secret")
STINGER_REDIS_URL=redis://127.0.0.1:6379
STINGER_REDIS_PREFIX=stinger-local-cluster
STINGER_TRUSTED_PROXIES=127.0.0.1
STINGER_LOG_FORMAT=json
STINGER_MIGRATE=false
STINGER_DEMO_DATA=false
EOF
}

start_apis() {
  for p in "${api_ports[@]}"; do
    mkdir -p "$dir/api-$p"
    (
      set -a
      # shellcheck disable=SC1091
      . "$dir/stinger.env"
      set +a
      STINGER_LISTEN=127.0.0.1:$p STINGER_DATA_DIR=$dir/api-$p \
        exec "$api" >"$dir/api-$p.out" 2>"$dir/api-$p.log"
    ) &
    echo $! >"$dir/api-$p.pid"
  done
  for p in "${api_ports[@]}"; do
    for _ in $(seq 1 100); do
      curl -fsS "http://127.0.0.1:$p/readyz" >/dev/null 2>&1 && break
      kill -0 "$(cat "$dir/api-$p.pid")" 2>/dev/null || die "stinger-api on $p exited: $(tail -n 5 "$dir/api-$p.log")"
      sleep 0.2
    done
    curl -fsS "http://127.0.0.1:$p/readyz" >/dev/null || die "stinger-api on $p is not ready"
  done
}

# deploy/nginx/stinger.conf as it is, but on this script's ports, inside a minimal nginx.conf.
start_nginx() {
  local conf=$dir/nginx
  mkdir -p "$conf/tmp"
  {
    sed -E '/^ *server 127\.0\.0\.1:[0-9]+ /d; s/^( *)listen 80;/\1listen 127.0.0.1:'"$port"';/' \
      deploy/nginx/stinger.conf |
      awk -v ports="${api_ports[*]}" '
        { print }
        /^upstream stinger_api/ { n = split(ports, p, " "); for (i = 1; i <= n; i++) printf "    server 127.0.0.1:%s max_fails=3 fail_timeout=10s;\n", p[i] }'
  } >"$conf/stinger.conf"
  cat >"$conf/nginx.conf" <<EOF
worker_processes 1;
pid $conf/nginx.pid;
error_log $conf/error.log warn;
events { worker_connections 512; }
http {
    access_log $conf/access.log;
    client_body_temp_path $conf/tmp/body;
    proxy_temp_path $conf/tmp/proxy;
    fastcgi_temp_path $conf/tmp/fastcgi;
    uwsgi_temp_path $conf/tmp/uwsgi;
    scgi_temp_path $conf/tmp/scgi;
    include $conf/stinger.conf;
}
EOF
  "$nginx" -t -q -p "$conf" -c "$conf/nginx.conf" || die "nginx refuses the configuration"
  "$nginx" -p "$conf" -c "$conf/nginx.conf"
  for _ in $(seq 1 50); do curl -fsS "$base/healthz" >/dev/null 2>&1 && return; sleep 0.1; done
  die "nginx does not answer on $base"
}

stop_all() {
  local conf=$dir/nginx
  if [ -s "$conf/nginx.pid" ]; then
    "$nginx" -p "$conf" -c "$conf/nginx.conf" -s quit 2>/dev/null || true
    for _ in $(seq 1 50); do [ -s "$conf/nginx.pid" ] || break; sleep 0.1; done
  fi
  for pidfile in "$dir"/api-*.pid; do
    [ -e "$pidfile" ] || continue
    kill -TERM "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  done
  wait 2>/dev/null || true
}

up() {
  ensure_packages
  [ -x "$api" ] && [ -x "$admin" ] || die "no binaries in $STINGER_BIN_DIR: run cargo build --release --bins"
  ensure_postgres
  ensure_redis
  stop_all
  prepare_database
  write_environment
  start_apis
  start_nginx
  say "up: $base/graphql (nginx) → stinger-api on ${api_ports[*]}; logs in $dir"
}

# --- the check, all through nginx ------------------------------------------------------------

graphql_get() {
  curl -fsS -G "$base/graphql" --data-urlencode "query=$1"
}

check() {
  local cli_env=(env "STINGER_SERVER=$base" "STINGER_CONFIG_DIR=$dir/cli" "DATABASE_URL=$(database_url)" NO_COLOR=1)
  local password="a long password for the cluster check"
  say "checking through $base"

  # The unit files are valid and as hardened as documented.
  if command -v systemd-analyze >/dev/null; then
    local units=$dir/units
    mkdir -p "$units"
    cp deploy/stinger-migrate.service "$units/"
    cp deploy/stinger-api@.service "$units/stinger-api@${api_ports[0]}.service"
    local complaints
    complaints=$(systemd-analyze verify --man=no "$units"/*.service 2>&1 | grep -v 'is not executable' || true)
    [ -z "$complaints" ] || die "systemd-analyze verify: $complaints"
    systemd-analyze security --offline=true --threshold=20 "$units/stinger-api@${api_ports[0]}.service" >/dev/null ||
      die "the unit's exposure level is above 2.0 (systemd-analyze security --offline=true)"
  fi

  # Reads, answered by every process in turn.
  curl -fsS "$base/readyz" >/dev/null || die "/readyz through nginx"
  for _ in 1 2 3 4; do
    graphql_get '{ film(slug: "m-butterfly-1993") { title } }' | grep -q '"M. Butterfly"' || die "the film page through nginx"
  done
  for p in "${api_ports[@]}"; do
    grep -q '"path":"/graphql"' "$dir/api-$p.log" || die "stinger-api on $p served no request: nginx does not balance"
  done

  # Rate limits live in Redis under the client's address as nginx reports it: nginx replaces a
  # client's own X-Forwarded-For, so a forged one names no one.
  local keys=""
  for _ in 1 2 3; do
    curl -fsS -G "$base/graphql" -H 'X-Forwarded-For: 203.0.113.9' \
      --data-urlencode 'query={ film(slug: "m-butterfly-1993") { title } }' >/dev/null || die "a read through nginx"
    keys=$(redis-cli -h 127.0.0.1 -p 6379 --scan --pattern 'stinger-local-cluster:rate:address:*')
    [ -n "$keys" ] && break
  done
  grep -qx 'stinger-local-cluster:rate:address:127.0.0.1' <<<"$keys" ||
    die "no rate-limit state in Redis for the client nginx reported: $keys"
  ! grep -q '203.0.113.9' <<<"$keys" || die "a forged X-Forwarded-For reached the rate limit: $keys"

  # The review story from the terminal, with the live queue over a WebSocket through nginx.
  mkdir -p "$dir/cli" && chmod 0700 "$dir/cli"
  for account in "ada admin" "eddie editor"; do
    set -- $account
    printf '%s' "$password" | "${cli_env[@]}" "$admin" users create --username "$1" --role "$2" --password-stdin >/dev/null 2>&1 || true
    printf '%s' "$password" | "${cli_env[@]}" "$admin" login --username "$1" --profile "$1" --password-stdin >/dev/null ||
      die "login as $1 through nginx"
  done
  "${cli_env[@]}" "$admin" edits watch --json --profile ada >"$dir/watch.out" 2>"$dir/watch.err" &
  local watcher=$! tagline number=""
  tagline="Checked through nginx $(date +%s)"
  # The watcher may still be connecting: propose until it reports an edit.
  for _ in $(seq 1 20); do
    number=$("${cli_env[@]}" "$admin" submit film m-butterfly-1993 --profile eddie --json \
      --set "tagline=$tagline" --reason "local-cluster check" | grep -oE '"number": *[0-9]+' | head -n 1 | grep -oE '[0-9]+$')
    [ -n "$number" ] || die "submit through nginx"
    sleep 0.5
    grep -q '"PENDING"' "$dir/watch.out" && break
  done
  "${cli_env[@]}" "$admin" edits approve "$number" --profile ada --note "local-cluster check" >/dev/null ||
    die "approve through nginx"
  for _ in $(seq 1 20); do grep -q '"APPROVED"' "$dir/watch.out" && break; sleep 0.25; done
  kill "$watcher" 2>/dev/null || true
  wait "$watcher" 2>/dev/null || true
  grep -q '"PENDING"' "$dir/watch.out" && grep -q '"APPROVED"' "$dir/watch.out" ||
    die "edits watch over nginx's WebSocket heard no PENDING and APPROVED: $(cat "$dir/watch.out" "$dir/watch.err")"
  for _ in 1 2; do
    graphql_get '{ film(slug: "m-butterfly-1993") { tagline } }' | grep -qF "\"$tagline\"" ||
      die "the approved tagline is not on the film page of every process"
  done

  say "ok: nginx balances ${#api_ports[@]} processes, WebSockets pass, edits are seen everywhere, rate limits shared in Redis by the address nginx reports"
}

case "$action" in
  up)
    db=${STINGER_CLUSTER_DB:-stinger_cluster}
    up
    ;;
  down)
    stop_all
    say "stopped"
    ;;
  check)
    db=${STINGER_CLUSTER_DB:-stinger_cluster_check}
    trap 'stop_all; psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT
    psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
    up
    check
    ;;
  *) usage ;;
esac
