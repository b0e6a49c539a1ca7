#!/usr/bin/env bash
# Webhook intake at the production ceiling, in one run on this machine, for each database target and mode:
#   production (the headline): `serve` as production runs it, its workers on at their default
#     (webhooks.workers), so intake and processing share the cores and the database; besides the
#     intake it counts the events processed, and ends with a sustained window (SUSTAIN s at the same
#     load) in which processed/accepted says whether the queue stays flat;
#   diagnostic: `serve --workers 0`, intake alone (the previous headline).
#   external: Debian's PostgreSQL 15 in a cluster of its own (fsync and synchronous_commit on);
#   embedded: the tool's own embedded PostgreSQL, started by `serve` itself (the same settings).
# For each: its ceiling with pgbench (one-row INSERT ... ON CONFLICT DO NOTHING into a jsonb table,
# run before and after each load run; a run's ceiling is the mean of the two), and `serve` (the packaged jar, workers off) warmed up and loaded by wrk posting pre-signed, distinct
# Meta deliveries (one change each). Events/s are committed rows counted in the database over the
# steady part of each run (from 2 s after wrk starts to 1 s before it ends); p50/p99 and non-2xx from
# wrk; the CPU per event of serve, PostgreSQL and wrk from /proc over the same window. Then, on the
# external server, the drain: `webhooks process --until-empty` over the stored events.
# Usage: src/test/benchmark/intake-benchmark.sh
#   RUNS=3 DURATION=10 WARMUP=15 CONNECTIONS=32 THREADS=2 TARGETS="external embedded"
#   MODES="production diagnostic" SUSTAIN=60 (0: no sustained window)
#   PROFILE=serve.jfr (Flight Recorder on serve), SERVE_JAVA_OPTS (more JVM options for serve)
#   PG_SETTINGS="max_wal_size=4GB;checkpoint_timeout=15min" (more settings for the external server)
#   SERVER_LOG=file (keeps the external server's log: its checkpoints and autovacuum, timestamped)
#   STATEMENTS=file (the external server's statements by execution time, pg_stat_statements, per mode)
# Installs postgresql-15 and wrk from Debian's packages when missing; builds the jar when missing.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
HERE="$ROOT/src/test/benchmark"
RUNS=${RUNS:-3}; DURATION=${DURATION:-10}; WARMUP=${WARMUP:-15}; CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}; RATE_CAP=${RATE_CAP:-40000}; TARGETS=${TARGETS:-external embedded}
MODES=${MODES:-production diagnostic}; SUSTAIN=${SUSTAIN:-60}
PGBIN=/usr/lib/postgresql/15/bin
SECRET=benchmark-meta-app-secret
[ "$DURATION" -ge 5 ] || { echo "DURATION must be at least 5 (seconds)" >&2; exit 2; }

sudo=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && sudo=sudo
missing=(); [ -x "$PGBIN/pg_ctl" ] || missing+=(postgresql-15); command -v wrk >/dev/null || missing+=(wrk)
command -v pgbench >/dev/null || missing+=(postgresql-client-15)
if [ "${#missing[@]}" -gt 0 ]; then
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[ -f "$ROOT/target/cmis-platform.jar" ] || (cd "$ROOT" && mvn -B -q package -DskipTests)

WORK=$(mktemp -d /tmp/cmis-intake-bench.XXXXXX)
# The embedded database's home stays the invoking user's (PostgreSQL's own cluster goes to its user).
EMBEDDED_DIR=$(mktemp -d /tmp/cmis-intake-embedded.XXXXXX)
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$WORK"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
SERVE_PID=""; EXTERNAL_STARTED=""
stop_serve() {
  if [ -n "$SERVE_PID" ]; then kill "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; fi
  SERVE_PID=""
}
cleanup() {
  stop_serve
  [ -n "$EXTERNAL_STARTED" ] && as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1
  if [ -n "${SERVER_LOG:-}" ] && [ -f "$WORK/server.log" ]; then cp "$WORK/server.log" "$SERVER_LOG"; fi
  rm -rf "$WORK" "$EMBEDDED_DIR"
}
trap cleanup EXIT
trap "exit 1" INT TERM

# CPU ticks (user + system) of a process and its reaped children, from /proc.
ticks() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_ticks() {
  local total; total=$(ticks "$POSTMASTER")
  for child in $(pgrep -P "$POSTMASTER"); do total=$((total + $(ticks "$child"))); done
  echo "$total"
}
HZ=$(getconf CLK_TCK)
# The machine's "busy idle" jiffies (all CPUs), from /proc/stat: idle counts iowait too.
cpu_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat; }
psql_() { psql -h 127.0.0.1 -p "$PGPORT" -U postgres -X -q -v ON_ERROR_STOP=1 "$@"; }
events() { psql_ -d "$APP_DB" -At -c "SELECT count(*) FROM cmis_platform.webhook_events"; }
# Stored and finished (processed or dead), "stored finished".
counts() { psql_ -d "$APP_DB" -At -F ' ' -c "SELECT count(*), count(*) FILTER (WHERE status IN ('processed', 'dead'))
                                            FROM cmis_platform.webhook_events"; }
now() { date +%s.%N; }

cat > "$WORK/ceiling.sql" <<'SQL'
\set k random(1, 9000000000000)
INSERT INTO inbox (k, body) VALUES (:k, '{"object":"page","entry":[{"id":"1","time":1,"changes":[{"field":"feed","value":{"item":"comment","verb":"add"}}]}]}') ON CONFLICT DO NOTHING;
SQL
ceiling() { # prints "commits/s p99_ms" of pgbench (p99 from its per-transaction log)
  rm -f "$WORK"/pgbench_log.*
  local tps
  tps=$(cd "$WORK" && pgbench -h 127.0.0.1 -p "$PGPORT" -U postgres -n -c "$CONNECTIONS" -j "$THREADS" \
        -T "$DURATION" -l --log-prefix=pgbench_log -f "$WORK/ceiling.sql" ceiling 2>&1 | awk '/tps = / { print $3; exit }')
  echo "$tps $(cat "$WORK"/pgbench_log.* | awk '{ print $3 }' | sort -n | awk '{ v[NR] = $1 }
        END { i = int(NR * 0.99); if (i < 1) i = 1; printf "%.2f", v[i] / 1000 }')"
}

start_serve() { # mode; prints nothing; sets SERVE_PID and JVM
  local workers=(); [ "$1" = diagnostic ] && workers=(--workers 0)
  CMIS_JAVA_OPTS="${SERVE_JAVA_OPTS:-} ${PROFILE:+-XX:StartFlightRecording=filename=$PROFILE,settings=profile}" \
    "$ROOT/bin/cmis-platform" serve --port "$SERVE_PORT" "${workers[@]}" > "$WORK/serve.log" 2>&1 &
  SERVE_PID=$!
  for _ in $(seq 1 600); do grep -q "listening on" "$WORK/serve.log" && break; sleep 0.1; done
  grep -q "listening on" "$WORK/serve.log" || { echo "serve did not start:" >&2; cat "$WORK/serve.log" >&2; exit 1; }
  JVM=$(pgrep -P "$SERVE_PID" java || echo "$SERVE_PID")
}

bodies() { python3 "$HERE/sign_meta_bodies.py" "$SECRET" "$1" "$2" > "$WORK/$2.tsv"; }
# One load run; prints "events/s p50 p99 non2xx serve_ticks pg_ticks wrk_ticks stored processed/s queued_after idle%"
# for the steady window (queued_after: stored and not finished when wrk has stopped; idle%: of the
# machine's CPU time, which says whether a run was bound by the cores or by waiting).
load() { # name seconds
  wrk -t "$THREADS" -c "$CONNECTIONS" -d "${2}s" --latency -s "$HERE/intake.lua" \
      "http://127.0.0.1:$SERVE_PORT" -- "$WORK/$1.tsv" "$THREADS" > "$WORK/$1.out" 2>&1 &
  local wrk_pid=$! t1 t2 c1 c2 j1 j2 p1 p2 w1 w2
  sleep 2
  t1=$(now); read -r c1 f1 < <(counts); j1=$(ticks "$JVM"); p1=$(pg_ticks); w1=$(ticks "$wrk_pid")
  read -r b1 i1 < <(cpu_jiffies)
  sleep $(( $2 - 3 ))
  t2=$(now); read -r c2 f2 < <(counts); j2=$(ticks "$JVM"); p2=$(pg_ticks); w2=$(ticks "$wrk_pid")
  read -r b2 i2 < <(cpu_jiffies)
  wait "$wrk_pid"
  local c3 f3; read -r c3 f3 < <(counts)
  local out p50 p99 non2xx
  out=$(cat "$WORK/$1.out")
  p50=$(echo "$out" | awk '$1 == "50%" { print $2 }'); p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
  non2xx=$(echo "$out" | awk '/Non-2xx/ { print $5 }'); non2xx=${non2xx:-0}
  awk -v c=$((c2 - c1)) -v a="$t1" -v b="$t2" 'BEGIN { printf "%.0f ", c / (b - a) }'
  echo -n "$p50 $p99 $non2xx $((j2 - j1)) $((p2 - p1)) $((w2 - w1)) $((c2 - c1)) "
  awk -v f=$((f2 - f1)) -v a="$t1" -v b="$t2" -v q=$((c3 - f3)) -v busy=$((b2 - b1)) -v idle=$((i2 - i1)) \
      'BEGIN { printf "%.0f %d %.0f\n", f / (b - a), q, 100 * idle / (busy + idle) }'
}

# Waits until every stored event is finished (the workers drain what a run left), at most 120 s.
settle() {
  local stored finished
  for _ in $(seq 1 1200); do
    read -r stored finished < <(counts)
    [ "$stored" = "$finished" ] && return
    sleep 0.1
  done
  echo "# warning: $((stored - finished)) events still unfinished 120 s after the run" >&2
}

measure() { # target mode
  bodies $((WARMUP * RATE_CAP)) "warmup-$2"
  load "warmup-$2" "$WARMUP" > /dev/null
  [ "$2" = production ] && settle
  local before after tps db_p99
  before=$(ceiling)
  for run in $(seq 1 "$RUNS"); do
    bodies $((DURATION * RATE_CAP)) "run$run-$2"
    read -r rate p50 p99 non2xx jt pt wt stored done_rate queued idle < <(load "run$run-$2" "$DURATION")
    # The ceiling of a run: the mean of pgbench just before and just after it (the disk drifts).
    after=$(ceiling)
    read -r tps db_p99 < <(echo "$before $after" | awk '{ print ($1 + $3) / 2, ($2 + $4) / 2 }')
    before=$after
    awk -v t="$1" -v m="$2" -v r="$run" -v tps="$tps" -v dbp="$db_p99" -v rate="$rate" -v p50="$p50" -v p99="$p99" \
        -v n="$non2xx" -v s="$stored" -v jt="$jt" -v pt="$pt" -v wt="$wt" -v hz="$HZ" -v d="$done_rate" -v idle="$idle" 'BEGIN {
      printf "%-9s %-11s %-4s %11.0f %9.2fms %10.0f %7.2f %11.0f %8s %8s %7d %9.0f %9.0f %9.0f %6s\n", t, m, r, tps, dbp,
             rate, rate / tps, d, p50, p99, n, jt / hz * 1e6 / s, pt / hz * 1e6 / s, wt / hz * 1e6 / s, idle "%" }'
    if [ "$2" = production ]; then settle; fi
  done
  if [ "$2" = production ] && [ "$SUSTAIN" -gt 0 ]; then
    # Throughput end to end: at the same load for SUSTAIN s, are events processed as fast as accepted?
    bodies $((SUSTAIN * RATE_CAP)) sustain
    read -r rate p50 p99 non2xx jt pt wt stored done_rate queued idle < <(load sustain "$SUSTAIN")
    awk -v t="$1" -v s="$SUSTAIN" -v rate="$rate" -v d="$done_rate" -v q="$queued" -v p99="$p99" -v n="$non2xx" 'BEGIN {
      printf "# %s sustained %d s: accepted %.0f events/s, processed %.0f events/s = %.2f x accepted; %d unfinished when the load stopped; p99 %s, non-2xx %d\n",
             t, s, rate, d, d / rate, q, p99, n }'
    settle
  fi
}

export CMIS_ENCRYPTION_KEYS="bench:$(head -c32 /dev/zero | base64)" CMIS_META_CLIENT_SECRET=$SECRET
export CMIS_DATABASE_POOL_SIZE=40
SERVE_PORT=$(free_port)
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(java -version 2>&1 | head -1); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
printf '%-9s %-11s %-4s %11s %11s %10s %7s %11s %8s %8s %7s %9s %9s %9s %6s\n' target mode run ceiling/s ceiling_p99 events/s \
       ratio processed/s p50 p99 non2xx serve_us pg_us wrk_us idle
for target in $TARGETS; do
 for mode in $MODES; do
  case "$target" in
    external)
      if [ -z "$EXTERNAL_STARTED" ]; then
      PGPORT=$(free_port)
      as_pg "$PGBIN/initdb" -D "$WORK/data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
      cat >> "$WORK/data/postgresql.auto.conf" <<CONF
port = $PGPORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK'
max_connections = 300
fsync = on
synchronous_commit = on
log_checkpoints = on
log_autovacuum_min_duration = 0
log_line_prefix = '%m '
CONF
      if [ -n "${STATEMENTS:-}" ]; then echo "shared_preload_libraries = 'pg_stat_statements'" >> "$WORK/data/postgresql.auto.conf"; fi
      if [ -n "${PG_SETTINGS:-}" ]; then tr ';' '\n' <<< "$PG_SETTINGS" >> "$WORK/data/postgresql.auto.conf"; fi
      as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w start >/dev/null
      EXTERNAL_STARTED=1; APP_DB=cmis
      POSTMASTER=$(head -1 "$WORK/data/postmaster.pid")
      psql_ -c "CREATE DATABASE cmis" -c "CREATE DATABASE ceiling"
      if [ -n "${STATEMENTS:-}" ]; then psql_ -d cmis -c "CREATE EXTENSION pg_stat_statements" >/dev/null; : > "$STATEMENTS"; fi
      export CMIS_DATABASE_URL="jdbc:postgresql://127.0.0.1:$PGPORT/cmis" CMIS_DATABASE_USER=postgres
      export CMIS_DATA_DIR="$WORK/data-dir"
      "$ROOT/bin/cmis-platform" db migrate >/dev/null
      fi
      APP_DB=cmis; POSTMASTER=$(head -1 "$WORK/data/postmaster.pid")
      export CMIS_DATABASE_URL="jdbc:postgresql://127.0.0.1:$PGPORT/cmis" CMIS_DATABASE_USER=postgres
      export CMIS_DATA_DIR="$WORK/data-dir"
      start_serve "$mode" ;;
    embedded)
      unset CMIS_DATABASE_URL CMIS_DATABASE_USER
      export CMIS_DATA_DIR="$EMBEDDED_DIR"; APP_DB=postgres
      start_serve "$mode"
      POSTMASTER=$(head -1 "$CMIS_DATA_DIR/postgres/postmaster.pid")
      PGPORT=$(sed -n 4p "$CMIS_DATA_DIR/postgres/postmaster.pid") ;;
    *) echo "unknown target '$target' (external or embedded)" >&2; exit 2 ;;
  esac
  psql_ -d ceiling -c "SELECT 1" >/dev/null 2>&1 || psql_ -c "CREATE DATABASE ceiling"
  psql_ -d ceiling -c "CREATE TABLE IF NOT EXISTS inbox (k bigint PRIMARY KEY, body jsonb NOT NULL)" >/dev/null
  echo "# $target, $mode: $(psql_ -At -c 'SHOW server_version'), fsync $(psql_ -At -c 'SHOW fsync'), synchronous_commit $(psql_ -At -c 'SHOW synchronous_commit')"
  if [ -n "${STATEMENTS:-}" ] && [ "$target" = external ]; then psql_ -d cmis -At -c "SELECT pg_stat_statements_reset()" >/dev/null; fi
  measure "$target" "$mode"
  stop_serve
  if [ -n "${STATEMENTS:-}" ] && [ "$target" = external ]; then
    # Per event: divide by the rows of the tool's INSERT (the events stored); "ceiling" is pgbench's.
    { echo "# $target, $mode (warm-up and runs): database, calls, ms, rows, WAL bytes, statement"
      psql_ -d cmis -At -F ' | ' -c "SELECT d.datname, calls, round(total_exec_time), rows, wal_bytes,
                                            left(regexp_replace(query, '\s+', ' ', 'g'), 100)
                                     FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
                                     ORDER BY total_exec_time DESC LIMIT 15"; } >> "$STATEMENTS"
  fi
  if [ "$target" = external ] && [ "$mode" = diagnostic ]; then
    queued=$(events); start=$(now)
    "$ROOT/bin/cmis-platform" webhooks process --until-empty >/dev/null
    end=$(now)
    awk -v n="$queued" -v a="$start" -v b="$end" \
        'BEGIN { printf "# external drain: %d events in %.1f s = %.0f events/s (one webhooks process)\n", n, b - a, n / (b - a) }'
  fi
 done
done
echo "# processed/s: events finished by the workers per second over the same window (production mode)"
echo "# ceiling_p99: pgbench's own p99 commit latency; events/s: rows committed per second over the steady"
echo "# window; p50/p99: wrk's answer latency; *_us: CPU µs per stored event in that window; idle: the"
echo "# machine's CPU left idle in that window"
