#!/usr/bin/env bash
# Monitoring whose cost does not grow with the traffic, measured as an operator sees it:
#   Debian's PostgreSQL 15 in a cluster of its own with two databases, one empty and one "busy"
#   (CALLS platform calls in the last 24 h and EVENTS kept webhook events, seeded with generate_series
#   through the real tables, so the rollup trigger runs as in production); then `health`,
#   `webhooks stats` (whole commands, as cron and operators run them) and the dashboard page
#   (served by `serve`, fetched with curl) timed on both, alternating, median of RUNS runs each.
# With MONTH=1 the busy database also holds what a month of that traffic leaves with pruning on:
#   7 days of raw calls (api-calls.retention) and 30 days of rollups.
# Then `db prune` is timed on a day of CALLS raw calls past the retention, both ways it prunes them:
#   a day partition dropped whole, and the same rows deleted in batches from the default partition
#   (where calls outside the day partitions live), with the WAL each writes.
# Usage: src/test/benchmark/retention-benchmark.sh   (CALLS=3000000 EVENTS=2000000 RUNS=5 MONTH=0)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
CALLS=${CALLS:-3000000}; EVENTS=${EVENTS:-2000000}; RUNS=${RUNS:-5}; MONTH=${MONTH:-0}
PGBIN=/usr/lib/postgresql/15/bin
sudo=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && sudo=sudo
if [ ! -x "$PGBIN/pg_ctl" ] || ! command -v curl >/dev/null; then
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql-15 curl >/dev/null
fi
[ -f "$ROOT/target/cmis-platform.jar" ] || (cd "$ROOT" && mvn -B -q package -DskipTests)

WORK=$(mktemp -d /tmp/cmis-retention-bench.XXXXXX)
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$WORK"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PGPORT=$(free_port); SERVE_PID=""
cleanup() {
  [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null
  as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 1" INT TERM
as_pg "$PGBIN/initdb" -D "$WORK/data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
cat >> "$WORK/data/postgresql.auto.conf" <<CONF
port = $PGPORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK'
max_wal_size = '4GB'
CONF
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w start >/dev/null
psql_() { psql -h 127.0.0.1 -p "$PGPORT" -U postgres -X -q -v ON_ERROR_STOP=1 "$@"; }
psql_ -c "CREATE DATABASE empty" -c "CREATE DATABASE busy"

export CMIS_DATABASE_USER=postgres CMIS_SERVE_ADMIN_TOKEN=benchmark-admin-token
export CMIS_ENCRYPTION_KEYS="bench:$(head -c32 /dev/zero | base64)" CMIS_DATA_DIR="$WORK/data-dir"
cmis() { CMIS_DATABASE_URL="jdbc:postgresql://127.0.0.1:$PGPORT/$1" "$ROOT/bin/cmis-platform" "${@:2}"; }
for db in empty busy; do cmis "$db" db migrate >/dev/null; done

seed_calls() { # database, rows, oldest (interval), in chunks of 500,000 (one statement each, as the call log writes)
  local left=$2
  while [ "$left" -gt 0 ]; do
    local n=$(( left < 500000 ? left : 500000 ))
    psql_ -d "$1" -c "
      INSERT INTO cmis_platform.platform_api_calls (platform, method, endpoint, status_code, outcome, error_code,
                                                    duration_ms, called_at)
      SELECT (ARRAY['meta','google','tiktok'])[1 + i % 3], 'GET', '/endpoint-' || (i % 25),
             CASE WHEN i % 50 = 0 THEN 500 ELSE 200 END, CASE WHEN i % 50 = 0 THEN 'transient' ELSE 'success' END,
             NULL, 20 + (i::bigint * 7919) % 900, now() - random() * interval '$3'
      FROM generate_series(1, $n) AS i"
    left=$(( left - n ))
  done
}
start=$(date +%s)
# The day partitions a running installation has (db prune keeps them two weeks ahead; these are the
# past days the seed covers).
psql_ -d busy -c "SELECT cmis_platform.add_api_call_partition(d::date)
                  FROM generate_series((now() AT TIME ZONE 'UTC')::date - 9, (now() AT TIME ZONE 'UTC')::date, interval '1 day') AS d" >/dev/null
seed_calls busy "$CALLS" '24 hours'
# Oldest first, processed a second after arrival: the table's physical order follows time, as an
# append-only inbox's does.
left=$EVENTS
while [ "$left" -gt 0 ]; do
  n=$(( left < 500000 ? left : 500000 ))
  psql_ -d busy -c "
    INSERT INTO cmis_platform.webhook_events (id, platform, event_key, event_type, payload, status, attempts,
                                              received_at, processed_at, next_attempt_at)
    SELECT gen_random_uuid(), 'meta', 'bench:$left:' || i, 'page.feed', '{\"object\":\"page\"}',
           CASE WHEN i % 1000 = 0 THEN 'dead' ELSE 'processed' END, 1, t, t + interval '1 second', t
    FROM generate_series(1, $n) AS i,
         LATERAL (SELECT now() - interval '29 days' * (($left - i)::float8 / $EVENTS)) AS at(t)"
  left=$(( left - n ))
done
if [ "$MONTH" = 1 ]; then
  # What a month leaves with pruning on: 6 more days of raw calls, and rollups for 30 days.
  seed_calls busy $(( CALLS * 6 )) '7 days'
  psql_ -d busy -c "
    INSERT INTO cmis_platform.platform_call_rollups (bucket, platform, endpoint, outcome, calls, duration_ms_sum, latency)
    SELECT b, p, '/endpoint-' || e, 'success', 500, 500 * 300, ARRAY[0,0,100,100,100,100,100,0,0,0,0]::bigint[]
    FROM generate_series(date_bin('5 minutes', now() - interval '30 days', TIMESTAMPTZ '2000-01-01 00:00:00+00'),
                         now() - interval '7 days', interval '5 minutes') AS b,
         unnest(ARRAY['meta','google','tiktok']) AS p, generate_series(0, 24) AS e
    ON CONFLICT DO NOTHING"
fi
psql_ -d busy -c "VACUUM ANALYZE"
psql_ -d empty -c "VACUUM ANALYZE"
echo "seeded in $(( $(date +%s) - start )) s: busy = $(psql_ -d busy -At -c "SELECT count(*) FROM cmis_platform.platform_api_calls") raw calls, $(psql_ -d busy -At -c "SELECT count(*) FROM cmis_platform.platform_call_rollups") rollup rows, $(psql_ -d busy -At -c "SELECT count(*) FROM cmis_platform.webhook_events") webhook events"

seconds() { local a b; a=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; b=$(date +%s.%N); awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b - a }'; }
median() { tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
dashboard_times() { # database -> RUNS fetch times of /dashboard from a serve on it
  local port; port=$(free_port)
  CMIS_DATABASE_URL="jdbc:postgresql://127.0.0.1:$PGPORT/$1" "$ROOT/bin/cmis-platform" serve --port "$port" --workers 0 \
    > "$WORK/serve-$1.log" 2>&1 &
  SERVE_PID=$!
  for _ in $(seq 1 300); do grep -q "listening on" "$WORK/serve-$1.log" && break; sleep 0.1; done
  for _ in 1 2 3; do curl -s -o /dev/null -H "Authorization: Bearer $CMIS_SERVE_ADMIN_TOKEN" "http://127.0.0.1:$port/"; done
  local out=""
  for _ in $(seq 1 "$RUNS"); do
    out="$out $(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $CMIS_SERVE_ADMIN_TOKEN" "http://127.0.0.1:$port/")"
  done
  kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true; SERVE_PID=""
  echo "$out"
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(java -version 2>&1 | head -1); $("$PGBIN/postgres" --version)"
printf '%-16s %10s %10s %7s\n' what empty_s busy_s ratio
for what in health stats; do
  e=""; b=""
  for _ in $(seq 1 "$RUNS"); do
    case $what in
      health) e="$e $(seconds cmis empty --json health)"; b="$b $(seconds cmis busy --json health)" ;;
      stats)  e="$e $(seconds cmis empty --json webhooks stats)"; b="$b $(seconds cmis busy --json webhooks stats)" ;;
    esac
  done
  me=$(echo $e | median); mb=$(echo $b | median)
  awk -v w="$what" -v e="$me" -v b="$mb" 'BEGIN { printf "%-16s %10.3f %10.3f %7.2f\n", w, e, b, b / e }'
done
me=$(dashboard_times empty | median); mb=$(dashboard_times busy | median)
awk -v e="$me" -v b="$mb" 'BEGIN { printf "%-16s %10.3f %10.3f %7.2f\n", "dashboard page", e, b, b / e }'
# Pruning a day of raw calls, both ways db prune does it. Everything else prunable is pruned first,
# so each timed run does only the day in question.
cmis busy db prune >/dev/null
timed_prune() { # what -> db prune's time, WAL and output
  psql_ -d busy -c "VACUUM ANALYZE cmis_platform.platform_api_calls" -c "CHECKPOINT" >/dev/null
  local wal_before s wal out
  wal_before=$(psql_ -d busy -At -c "SELECT pg_current_wal_lsn()")
  s=$(date +%s.%N); out=$(cmis busy db prune | grep '^platform_api_calls'); s=$(awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  wal=$(psql_ -d busy -At -c "SELECT pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), '$wal_before'))")
  echo "prune a day of raw calls ($CALLS rows), $1: db prune $s s, WAL $wal ($out)"
}
# The day 9 days ago gets a partition; 10 days ago has none: its calls go to the default partition.
seed_at() {
  [ "$2" = partition ] && psql_ -d busy -c "SELECT cmis_platform.add_api_call_partition((now() AT TIME ZONE 'UTC')::date - $1)" >/dev/null
  psql_ -d busy -c "
    INSERT INTO cmis_platform.platform_api_calls (platform, method, endpoint, status_code, outcome, duration_ms, called_at)
    SELECT 'meta', 'GET', '/endpoint-' || (i % 25), 200, 'success', 20 + i % 900,
           (now() AT TIME ZONE 'UTC')::date::timestamp AT TIME ZONE 'UTC' - interval '$1 days' + (i::float8 / $CALLS) * interval '1 day'
    FROM generate_series(0, $CALLS - 1) AS i" >/dev/null; }
seed_at 9 partition; timed_prune "a day partition dropped"
seed_at 10 default; timed_prune "the same rows deleted in 5,000-row batches from the default partition"
echo "# median of $RUNS runs each, alternating empty and busy; health and stats are whole commands (JVM start included)"
