#!/usr/bin/env bash
# Webhook intake at the production ceiling, in one run on this machine:
#   1. Debian's PostgreSQL 15 (a cluster of its own, fsync and synchronous_commit on);
#   2. its ceiling: pgbench, 32 clients, one-row INSERT ... ON CONFLICT DO NOTHING into a jsonb table;
#   3. `serve` (the packaged jar, workers off) against it, warmed up, then wrk posting pre-signed,
#      distinct Meta deliveries (one change each): events/s, p50/p99, non-2xx answers, and the CPU per
#      event of serve and of PostgreSQL read from /proc;
#   4. the drain: `webhooks process --until-empty` over the stored events (routing on, RLS on).
# Usage: src/test/benchmark/intake-benchmark.sh   (RUNS=3 DURATION=10 WARMUP=15 CONNECTIONS=32)
# Installs postgresql-15 and wrk from Debian's packages when missing; builds the jar when missing.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
HERE="$ROOT/src/test/benchmark"
RUNS=${RUNS:-3}; DURATION=${DURATION:-10}; WARMUP=${WARMUP:-15}; CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}; RATE_CAP=${RATE_CAP:-40000}
PGBIN=/usr/lib/postgresql/15/bin
SECRET=benchmark-meta-app-secret

sudo=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && sudo=sudo
missing=(); [ -x "$PGBIN/pg_ctl" ] || missing+=(postgresql-15); command -v wrk >/dev/null || missing+=(wrk)
command -v pgbench >/dev/null || missing+=(postgresql-client-15)
if [ "${#missing[@]}" -gt 0 ]; then
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[ -f "$ROOT/target/cmis-platform.jar" ] || (cd "$ROOT" && mvn -B -q package -DskipTests)

WORK=$(mktemp -d /tmp/cmis-intake-bench.XXXXXX)
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$WORK"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PGPORT=$(free_port); SERVE_PORT=$(free_port)
SERVE_PID=""
cleanup() {
  [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null || true
  as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

as_pg "$PGBIN/initdb" -D "$WORK/data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
cat >> "$WORK/data/postgresql.auto.conf" <<CONF
port = $PGPORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK'
max_connections = 300
fsync = on
synchronous_commit = on
CONF
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w start >/dev/null
PSQL=(psql -h 127.0.0.1 -p "$PGPORT" -U postgres -X -q -v ON_ERROR_STOP=1)
"${PSQL[@]}" -c "CREATE DATABASE cmis" -c "CREATE DATABASE ceiling"
POSTMASTER=$(head -1 "$WORK/data/postmaster.pid")

# CPU seconds (user + system) of a process and its reaped children, from /proc.
ticks() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat"; }
pg_ticks() {
  local total; total=$(ticks "$POSTMASTER")
  for child in $(pgrep -P "$POSTMASTER"); do total=$((total + $(ticks "$child" 2>/dev/null || echo 0))); done
  echo "$total"
}
HZ=$(getconf CLK_TCK)

# --- the ceiling --------------------------------------------------------------------------------
"${PSQL[@]}" -d ceiling -c "CREATE TABLE inbox (k bigint PRIMARY KEY, body jsonb NOT NULL)"
cat > "$WORK/ceiling.sql" <<'SQL'
\set k random(1, 9000000000000)
INSERT INTO inbox (k, body) VALUES (:k, '{"object":"page","entry":[{"id":"1","time":1,"changes":[{"field":"feed","value":{"item":"comment","verb":"add"}}]}]}') ON CONFLICT DO NOTHING;
SQL
ceiling() {
  local before after out tps
  before=$(pg_ticks)
  out=$(pgbench -h 127.0.0.1 -p "$PGPORT" -U postgres -n -c "$CONNECTIONS" -j "$THREADS" -T "$DURATION" \
        -f "$WORK/ceiling.sql" ceiling 2>&1)
  after=$(pg_ticks)
  tps=$(echo "$out" | awk '/tps = / { print $3; exit }')
  echo "$tps $(( (after - before) ))"
}

# --- serve -----------------------------------------------------------------------------------------
export CMIS_DATABASE_URL="jdbc:postgresql://127.0.0.1:$PGPORT/cmis" CMIS_DATABASE_USER=postgres
export CMIS_ENCRYPTION_KEYS="bench:$(head -c32 /dev/zero | base64)" CMIS_META_CLIENT_SECRET=$SECRET
export CMIS_DATA_DIR="$WORK/data-dir" CMIS_DATABASE_POOL_SIZE=40
"$ROOT/bin/cmis-platform" db migrate >/dev/null
# PROFILE=FILE.jfr records serve with Java Flight Recorder; SERVE_JAVA_OPTS adds JVM options to serve only.
CMIS_JAVA_OPTS="${SERVE_JAVA_OPTS:-} ${PROFILE:+-XX:StartFlightRecording=filename=$PROFILE,settings=profile}" \
  "$ROOT/bin/cmis-platform" serve --port "$SERVE_PORT" --workers 0 > "$WORK/serve.log" 2>&1 &
SERVE_PID=$!
for _ in $(seq 1 300); do grep -q "listening on" "$WORK/serve.log" && break; sleep 0.1; done
JVM=$(pgrep -P "$SERVE_PID" java || echo "$SERVE_PID")

bodies() { python3 "$HERE/sign_meta_bodies.py" "$SECRET" "$1" "$2" > "$WORK/$2.tsv"; }
load() { # name seconds -> prints wrk's output
  wrk -t "$THREADS" -c "$CONNECTIONS" -d "${2}s" --latency -s "$HERE/intake.lua" \
      "http://127.0.0.1:$SERVE_PORT" -- "$WORK/$1.tsv" "$THREADS"
}
events() { "${PSQL[@]}" -d cmis -At -c "SELECT count(*) FROM cmis_platform.webhook_events"; }

bodies $((WARMUP * RATE_CAP)) warmup
load warmup "$WARMUP" > "$WORK/warmup.txt"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(java -version 2>&1 | head -1); $("$PGBIN/postgres" --version)"
printf '%-4s %12s %12s %10s %8s %9s %9s %8s %14s %14s\n' run ceiling/s events/s stored/s ratio p50_ms p99_ms non2xx serve_us/event pg_us/event
for run in $(seq 1 "$RUNS"); do
  read -r tps ceiling_ticks < <(ceiling)
  bodies $((DURATION * RATE_CAP)) "run$run"
  stored_before=$(events); jvm_before=$(ticks "$JVM"); pg_before=$(pg_ticks)
  out=$(load "run$run" "$DURATION")
  jvm_after=$(ticks "$JVM"); pg_after=$(pg_ticks); stored_after=$(events)
  rps=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
  p50=$(echo "$out" | awk '$1 == "50%" { print $2 }'); p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
  non2xx=$(echo "$out" | awk '/Non-2xx/ { print $5 }'); non2xx=${non2xx:-0}
  stored=$((stored_after - stored_before))
  awk -v r="$run" -v tps="$tps" -v rps="$rps" -v p50="$p50" -v p99="$p99" -v n="$non2xx" -v s="$stored" \
      -v d="$DURATION" -v jt=$((jvm_after - jvm_before)) -v pt=$((pg_after - pg_before)) -v hz="$HZ" 'BEGIN {
    printf "%-4s %12.0f %12.0f %10.0f %8.2f %9s %9s %8d %14.0f %14.0f\n", r, tps, rps, s / d, rps / tps, p50, p99, n,
           jt / hz * 1e6 / s, pt / hz * 1e6 / s }'
done
echo "stored events: $(events) (every answer 200 is a committed row; distinct bodies, so each is a new one)"

# --- the drain -------------------------------------------------------------------------------------
kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true; SERVE_PID=""
queued=$(events)
start=$(date +%s.%N)
"$ROOT/bin/cmis-platform" webhooks process --until-empty >/dev/null
end=$(date +%s.%N)
awk -v n="$queued" -v a="$start" -v b="$end" 'BEGIN { printf "drain: %d events in %.1f s = %.0f events/s (one process)\n", n, b - a, n / (b - a) }'
