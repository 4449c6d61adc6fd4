#!/usr/bin/env bash
# bench.sh runs the published benchmarks S1–S6 (../shared/docs/BENCHMARKS.md)
# with the load generator against a local stack it sets up for the purpose,
# apart from the development one that `make run` uses:
#
#   - the stack (scripts/stack.sh up), then a database of its own
#     ($CLASSMATE_BENCH_DB, default classmate_bench) with the demo data
#     ($CLASSMATE_BENCH_STUDENTS students, default 100000, 3,000 courses),
#     and a Redis key prefix of its own (bench:), wiped at every start;
#   - the core and the gate, built as .data/bench/bin/bench-core and
#     bench-gate and run in the background on 127.0.0.1:18081 and :18080 for
#     the duration, then stopped;
#   - bin/loadgen all, whose results land in .data/bench/<time>/ (results.json,
#     report.html; .data/bench/latest points at the last run).
#
# Usage: scripts/bench.sh [short|full|jmeter] [loadgen flags…]
#   short (make bench) takes under ten minutes; full (make bench-full) runs
#   BENCHMARKS.md's sizes, each scenario three times (medians); jmeter (make
#   jmeter) runs a short JMeter plan instead (scripts/jmeter/run.sh) and
#   fails on any failed sample. CLASSMATE_BENCH_CMD=s3 (s1…s6) runs one
#   scenario on freshly started services instead of all of them.
#
# The core's periodic reconciler is slowed to an hour so that the invariant
# checks after each scenario see the seat counters as the requests left
# them, not as a repair made them.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SIZE="${1:-short}"
shift || true
case "$SIZE" in short | full | jmeter) ;; *)
	echo "usage: $0 [short|full|jmeter] [loadgen flags…]" >&2
	exit 2
	;;
esac

GO="${GO:-go}"
DB="${CLASSMATE_BENCH_DB:-classmate_bench}"
STUDENTS="${CLASSMATE_BENCH_STUDENTS:-100000}"
GATE_ADDR="${CLASSMATE_BENCH_GATE_ADDR:-127.0.0.1:18080}"
CORE_ADDR="${CLASSMATE_BENCH_CORE_ADDR:-127.0.0.1:18081}"
PREFIX="bench:"
WORK="$ROOT/.data/bench"
OUT="$WORK/$(date -u +%Y%m%dT%H%M%SZ)-$SIZE"

log() { printf 'bench: %s\n' "$*" >&2; }

# The stack is shared with the test suite, which stops and starts the
# replica: a failed check is retried before giving up.
for try in 1 2 3; do
	scripts/stack.sh up && break
	((try < 3)) || exit 1
	log "stack not ready, retrying in 10 s"
	sleep 10
done
eval "$(scripts/stack.sh env)"
export CLASSMATE_MYSQL_DSN="${CLASSMATE_MYSQL_DSN%/*}/$DB"
export CLASSMATE_MYSQL_REPLICA_DSN="${CLASSMATE_MYSQL_REPLICA_DSN%/*}/$DB"
export CLASSMATE_ENV=development CLASSMATE_REDIS_PREFIX="$PREFIX"
# The core hosts the embedded search index, fed from the binlog; it belongs
# to the bench database.
export CLASSMATE_INDEX_DIR="$WORK/index"
mkdir -p "$WORK"

# The services run under names of their own (bench-core, bench-gate), so
# that nothing stopping a `make run` by name stops a benchmark.
log "building bin/loadgen, bin/seed, $WORK/bin/bench-core, $WORK/bin/bench-gate"
"$GO" build -o bin/ ./cmd/loadgen ./cmd/seed
if [[ -n ${CLASSMATE_BENCH_SERVICES:-} ]]; then
	# An A/B comparison: the services of another build (bench-core and
	# bench-gate in that directory) against this tree's load generator.
	mkdir -p "$WORK/bin"
	cp "$CLASSMATE_BENCH_SERVICES/bench-core" "$CLASSMATE_BENCH_SERVICES/bench-gate" "$WORK/bin/"
else
	"$GO" build -o "$WORK/bin/bench-core" ./cmd/core
	"$GO" build -o "$WORK/bin/bench-gate" ./cmd/gate
fi

MYSQL_CLIENT=(mariadb --defaults-file="$ROOT/.data/mysql-primary/client.cnf")
command -v mariadb >/dev/null 2>&1 || MYSQL_CLIENT=(mysql --defaults-file="$ROOT/.data/mysql-primary/client.cnf")
have="$("${MYSQL_CLIENT[@]}" -N -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$DB' AND table_name = 'students'")"
if [[ $have == 1 ]]; then
	have="$("${MYSQL_CLIENT[@]}" -N -e "SELECT COUNT(*) FROM \`$DB\`.students")"
fi
if ((have < STUDENTS)); then
	log "loading $STUDENTS demo students into $DB (once)"
	"${MYSQL_CLIENT[@]}" -e "DROP DATABASE IF EXISTS \`$DB\`; CREATE DATABASE \`$DB\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
	CLASSMATE_DEMO_STUDENTS="$STUDENTS" bin/seed
	rm -rf "$CLASSMATE_INDEX_DIR"
fi

# A clean slate in Redis: the core rebuilds its seat counters at start.
REDIS_HOST="${CLASSMATE_REDIS_ADDR%:*}" REDIS_PORT="${CLASSMATE_REDIS_ADDR##*:}"
redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" --scan --pattern "$PREFIX*" | xargs -r -n 1000 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" DEL >/dev/null

# Sockets: the services and the load generator get the highest file limit
# the shell may set (S3 holds 100,000 WebSockets on each side).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

pids=()
stop() {
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	pids=()
}
trap stop EXIT
trap 'stop; exit 130' INT TERM

CLASSMATE_CORE_ADDR="$CORE_ADDR" CLASSMATE_PPROF_ADDR="${CLASSMATE_BENCH_CORE_PPROF:-}" CLASSMATE_RECONCILE_INTERVAL=1h CLASSMATE_LOG_LEVEL=warn \
	"$WORK/bin/bench-core" >"$WORK/core.log" 2>&1 &
pids+=($!)
CLASSMATE_GATE_ADDR="$GATE_ADDR" CLASSMATE_PPROF_ADDR="${CLASSMATE_BENCH_GATE_PPROF:-}" CLASSMATE_CORE_URLS="http://$CORE_ADDR" CLASSMATE_GATE_ROOM="bench" CLASSMATE_LOG_LEVEL=warn \
	"$WORK/bin/bench-gate" >"$WORK/gate.log" 2>&1 &
pids+=($!)

for addr in "$CORE_ADDR" "$GATE_ADDR"; do
	for _ in $(seq 1 300); do
		if curl -fsS -o /dev/null "http://$addr/readyz" 2>/dev/null; then
			continue 2
		fi
		for p in "${pids[@]}"; do
			kill -0 "$p" 2>/dev/null || {
				log "a service exited; see $WORK/core.log and $WORK/gate.log"
				tail -n 20 "$WORK/core.log" "$WORK/gate.log" >&2
				exit 1
			}
		done
		sleep 0.2
	done
	log "$addr did not become ready in 60 s"
	exit 1
done
log "core on $CORE_ADDR, gate on $GATE_ADDR (logs in $WORK)"

if [[ $SIZE == jmeter ]]; then
	scripts/jmeter/run.sh "$GATE_ADDR" "$@"
	exit
fi

status=0
bin/loadgen "${CLASSMATE_BENCH_CMD:-all}" -size "$SIZE" -gate "http://$GATE_ADDR" -core "http://$CORE_ADDR" -out "$OUT" \
	-session-cache "$WORK/sessions.json" -repo "$ROOT" "$@" || status=$?
ln -sfn "$(basename "$OUT")" "$WORK/latest"
log "results: $OUT/results.json"
log "report:  $OUT/report.html (also $WORK/latest/report.html)"
exit "$status"
