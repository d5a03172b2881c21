#!/bin/sh
# Initialise the data directory on first start, start the server, use it
# through its unix socket, stop it: the exit status says whether the
# service worked.
set -eu
if [ "$(id -u)" = 0 ]; then
	exec setpriv --reuid postgres --regid postgres --init-groups "$0"
fi
data=/var/lib/postgresql/data
bin=/usr/lib/postgresql/15/bin
sock=/var/run/postgresql
[ -s "$data/PG_VERSION" ] || "$bin/initdb" -D "$data" -A trust -U postgres >/dev/null
"$bin/pg_ctl" -D "$data" -o "-c listen_addresses='' -k $sock" -w -l /dev/null start
out=$(psql -h "$sock" -U postgres -Atc \
	'create table t (x int); insert into t values (42); select x from t;')
"$bin/pg_ctl" -D "$data" -m fast -w stop
[ "$out" = "$(printf 'CREATE TABLE\nINSERT 0 1\n42')" ] || [ "$out" = 42 ] ||
	{ echo "unexpected: $out"; exit 1; }
echo "postgresql: ok"
