#!/usr/bin/env bash
# run.sh runs one JMeter plan of this directory headless through Maven
# (pom.xml) against a gate, prints the summary of the results file and
# exits 1 on any failed sample (JMeter itself exits 0 whatever happened).
#
# Usage: scripts/jmeter/run.sh HOST:PORT
#
# Environment (defaults in brackets): JMETER_PLAN [opening-rush] or
# search-storm, JMETER_THREADS [50], JMETER_RAMPUP [5], JMETER_DURATION
# [20], JMETER_PROTOCOL [http], JMETER_ARGS (more -D flags for Maven), and
# CLASSMATE_ADMIN_TOKEN [dev-admin-token]: when the gate is on loopback the
# room is opened first (admissions at 500/s, max_active 2000).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
TARGET="${1:?usage: $0 HOST:PORT}"
HOST="${TARGET%:*}" PORT="${TARGET##*:}"
PLAN="${JMETER_PLAN:-opening-rush}"
PROTOCOL="${JMETER_PROTOCOL:-http}"
WORK="$ROOT/.cache/jmeter"
GO="${GO:-go}"

mkdir -p "$WORK"
[[ -s $WORK/students.csv ]] || "$GO" run ./cmd/loadgen students-csv -n 20000 -out "$WORK/students.csv"
[[ -s $WORK/queries.csv ]] || "$GO" run ./cmd/loadgen queries-csv -out "$WORK/queries.csv"

if [[ $HOST == 127.* || $HOST == localhost ]]; then
	opens="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	curl -fsS -o /dev/null -X PUT "$PROTOCOL://$TARGET/admin/v1/room" \
		-H "Authorization: Bearer ${CLASSMATE_ADMIN_TOKEN:-dev-admin-token}" -H 'Content-Type: application/json' \
		-d "{\"opens_at\":\"$opens\",\"prequeue_seconds\":3600,\"max_active\":2000,\"admit_per_second\":500,\"mode\":\"fifo\",\"paused\":false}"
fi

rm -f "$WORK/results/$PLAN.csv"
# shellcheck disable=SC2086 # JMETER_ARGS is a list of flags
mvn -B -q -f scripts/jmeter/pom.xml verify -Dplan="$PLAN" -Dprotocol="$PROTOCOL" -Dhost="$HOST" -Dport="$PORT" \
	-Dthreads="${JMETER_THREADS:-50}" -Drampup="${JMETER_RAMPUP:-5}" -Dduration="${JMETER_DURATION:-20}" \
	-Dstudents="$WORK/students.csv" -Dqueries="$WORK/queries.csv" -Dresults="$WORK/results" ${JMETER_ARGS:-}
echo "results: $WORK/results/$PLAN.csv"
"$GO" run ./cmd/loadgen jtl -in "$WORK/results/$PLAN.csv"
