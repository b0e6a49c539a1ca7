#!/usr/bin/env bash
# The batch throughput goals in one command, each against its ideal bound:
#   sync: TikTok advertiser integrations, 2 calls each at 20 ms, concurrency 8; ideal = calls x 20 ms / 8.
#     In process after a warm-up pass (steady state) and as cron runs it: one cold `sync` process with
#     the launcher's JVM flags, its start-up subtracted. At 1,000 and at 10,000 integrations.
#   token sweep: 10,000 due Google grants, 20 ms per refresh, tokens.concurrency 16; ideal = 16 / 20 ms
#     = 800 refreshes/s; exactly one platform call per grant. In process, and as cron runs it: one cold
#     `tokens refresh` process with the launcher's JVM flags, its start-up subtracted.
# -Djfr=FILE on either benchmark (run alone) records its measured part with Flight Recorder.
# Usage: src/test/benchmark/throughput-benchmark.sh   (RUNS=3 SIZES="1000 10000")
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
RUNS=${RUNS:-3}; SIZES=${SIZES:-1000 10000}
cd "$ROOT"
mvn -B -q -o test-compile -Djacoco.skip=true 2>/dev/null || mvn -B -q test-compile -Djacoco.skip=true
bench() { # class, then -D options
  local class=$1; shift
  mvn -B -q -o test -Dtest="$class" -Dbenchmark=true -Djacoco.skip=true -Dsurefire.failIfNoSpecifiedTests=false "$@" 2>&1 \
    | grep -E "ideal bound|steady state|cold process|refreshes|refreshed|platform calls" || true
}
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(java -version 2>&1 | head -1)"
for run in $(seq 1 "$RUNS"); do
  for n in $SIZES; do
    echo "# sync, $n integrations, run $run"
    # The sequential comparison only at 1,000: at 10,000 it alone takes 400 s.
    bench SyncBenchmark -Dintegrations="$n" -Dsequential="$([ "$n" -le 1000 ] && echo true || echo false)"
  done
  echo "# token sweep, 10,000 due grants, run $run"
  bench TokenSweepBenchmark
done
