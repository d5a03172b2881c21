#!/bin/sh
# e2e_sqlite.sh - the sqlite3 CLI writing a database that ships in the
# image, in /app/db: SQLite creates and removes its -journal beside the
# database (and, as root, fchowns the journal to the database's owner: a
# no-op chown that a non-root user does not need).  The plan must own the
# database's directory and the database, nothing above.
set -eu
. "$(dirname "$0")/lib_e2e.sh"
command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 not installed"

fixdir "$IMG/app" "$IMG/app/db"
sqlite3 "$IMG/app/db/app.db" 'CREATE TABLE t(x);'
chmod 644 "$IMG/app/db/app.db"
SQL="BEGIN; INSERT INTO t VALUES(1); INSERT INTO t VALUES(2); COMMIT; SELECT count(*) FROM t;"

profile sqlite3 "$IMG/app/db/app.db" "$SQL"
make_plan
grep -q '^# not granted' "$S/plan.sh" && fail "the plan refuses something sqlite needs"
apply_plan
expect_changed "$IMG/app/db" "$IMG/app/db/app.db"
run_user sqlite3 "$IMG/app/db/app.db" "$SQL"
assert_stat "$IMG/app" "0:0 755"
[ "$(sqlite3 "$IMG/app/db/app.db" 'SELECT count(*) FROM t;')" = 4 ] ||
	fail "the second run did not write the database"
echo "PASS $E2E_NAME"
