#!/bin/sh
# Bulk-load benchmark (issue 10): generate, export and import N films on SQLite and PostgreSQL
# with the release build, printing wall time and peak memory of each step and the database sizes.
#
#   cargo build --release -p stinger-admin
#   admin-cli/bench/bulk.sh 100000          # N films (default 100000), one run
#
# PostgreSQL: PG_URL (default postgres://postgres@127.0.0.1:5432), databases bench_bulk_a and
# bench_bulk_b are dropped and created. Scratch files go to a temporary directory, removed at the end.
set -eu
N=${1:-100000}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
BIN=${BIN:-target/release/stinger-admin}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

step() {
    label=$1
    shift
    /usr/bin/time -f "$label: %e s wall, %M KiB peak RSS" "$@" >/dev/null
}

echo "== SQLite, $N films"
step "generate" env -u DATABASE_URL "$BIN" generate --films "$N" --seed 1 --data-dir "$WORK/a"
step "export" env -u DATABASE_URL "$BIN" export --data-dir "$WORK/a" --output "$WORK/sqlite.ndjson"
step "import stinger" env -u DATABASE_URL "$BIN" import stinger "$WORK/sqlite.ndjson" --data-dir "$WORK/b"
env -u DATABASE_URL "$BIN" export --data-dir "$WORK/b" --output "$WORK/sqlite-again.ndjson" 2>/dev/null
cmp "$WORK/sqlite.ndjson" "$WORK/sqlite-again.ndjson" && echo "round trip: identical bytes"
echo "database: $(du -sh "$WORK/a" | cut -f1), export: $(du -h "$WORK/sqlite.ndjson" | cut -f1)"

echo "== PostgreSQL, $N films"
for db in bench_bulk_a bench_bulk_b; do
    psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
done
step "generate" "$BIN" generate --films "$N" --seed 1 --database-url "$PG_URL/bench_bulk_a"
step "export" "$BIN" export --database-url "$PG_URL/bench_bulk_a" --output "$WORK/pg.ndjson"
step "import stinger" "$BIN" import stinger "$WORK/pg.ndjson" --database-url "$PG_URL/bench_bulk_b"
"$BIN" export --database-url "$PG_URL/bench_bulk_b" --output "$WORK/pg-again.ndjson" 2>/dev/null
cmp "$WORK/pg.ndjson" "$WORK/pg-again.ndjson" && echo "round trip: identical bytes"
cmp "$WORK/sqlite.ndjson" "$WORK/pg.ndjson" && echo "SQLite and PostgreSQL export the same bytes"
psql -qAt "$PG_URL/bench_bulk_a" -c "SELECT 'database: ' || pg_size_pretty(pg_database_size(current_database()))"
for db in bench_bulk_a bench_bulk_b; do
    psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $db"
done
