#!/bin/sh
# Start MariaDB through its mariadbd-safe script (no TCP: the socket in
# /run/mysqld), create a table and a row through the socket, shut it down
# and wait for the script: the exit status says whether the service
# worked.
set -eu
mariadbd-safe --skip-networking >/dev/null 2>&1 &
i=0
while [ ! -S /run/mysqld/mysqld.sock ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
mariadb -e 'CREATE DATABASE IF NOT EXISTS u; CREATE TABLE IF NOT EXISTS u.t (a INT); INSERT INTO u.t VALUES (1); SELECT COUNT(*) FROM u.t' >/tmp/out
mariadb-admin shutdown
wait
cat /tmp/out
echo "mariadb: ok"
