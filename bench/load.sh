#!/usr/bin/env bash
# Load test (issue 2): 50 concurrent clients send a mix of API reads and
# SBOM uploads to a real `cradle serve` on loopback for 60 s, on SQLite and
# (when CRADLE_TEST_POSTGRES is set) on PostgreSQL. Prints latency
# percentiles and errors; exits non-zero if either run misses the target.
#   bench/load.sh [duration]     e.g. bench/load.sh 60s
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-60s}
OUT=$(mktemp -d)
go build -o "$OUT/cradle" ./cmd/cradle
go build -o "$OUT/loadgen" ./bench/loadgen
status=0

run() { # engine dsn
  local engine=$1 dsn=$2 port=18181
  "$OUT/cradle" migrate --db "$dsn" >/dev/null
  "$OUT/cradle" user create --db "$dsn" --email load@example.com --role admin --password "load test password" >/dev/null
  local token
  token=$("$OUT/cradle" token create --db "$dsn" --user load@example.com --name load --json | sed -n 's/.*"secret": "\(.*\)".*/\1/p')
  "$OUT/cradle" serve --db "$dsn" --addr 127.0.0.1:$port --log-level warn 2>"$OUT/serve-$engine.log" &
  local pid=$!
  for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
  echo "== $engine =="
  "$OUT/loadgen" -url "http://127.0.0.1:$port" -token "$token" -clients 50 -duration "$DUR" || status=1
  kill $pid; wait $pid 2>/dev/null || true
}

run sqlite "$OUT/load.db"
if [ -n "${CRADLE_TEST_POSTGRES:-}" ]; then
  db=cradle_load_$$
  psql "$CRADLE_TEST_POSTGRES" -qc "CREATE DATABASE $db" >/dev/null
  run postgres "$(echo "$CRADLE_TEST_POSTGRES" | sed "s#/[a-z_]*?#/$db?#")"
  psql "$CRADLE_TEST_POSTGRES" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
fi
rm -rf "$OUT"
exit $status
