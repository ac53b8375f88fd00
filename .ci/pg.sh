#!/usr/bin/env bash
# Starts a throw-away PostgreSQL from Debian's packages on 127.0.0.1:$PGPORT
# and prints the DSN tests use. Idempotent: if it already runs, it says so.
set -euo pipefail
PGPORT=${PGPORT:-55432}
PGDIR=${PGDIR:-/tmp/cradle-pg}
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
if [ ! -d "$PGDIR/data" ]; then
  mkdir -p "$PGDIR"
  chown postgres "$PGDIR"
  runuser -u postgres -- "$BIN/initdb" -A trust -U postgres -D "$PGDIR/data" >/dev/null
fi
if ! runuser -u postgres -- "$BIN/pg_ctl" -D "$PGDIR/data" status >/dev/null 2>&1; then
  runuser -u postgres -- "$BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
    -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off" start >/dev/null
fi
echo "postgres://postgres@127.0.0.1:$PGPORT/postgres?sslmode=disable"
