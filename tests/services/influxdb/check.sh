#!/bin/sh
# Start influxd with the package's configuration, create a database,
# write a point and read it back over its HTTP API on loopback, stop it:
# the exit status says whether the store worked.
set -eu
influxd -config /etc/influxdb/influxdb.conf >/tmp/influxd.log 2>&1 &
pid=$!
http-get 8086 '/query?q=CREATE+DATABASE+app' '' >/dev/null
http-get 8086 '/write?db=app' 'cpu,host=a value=42' >/dev/null || true
out=$(http-get 8086 '/query?db=app&q=SELECT+value+FROM+cpu')
kill "$pid"
wait "$pid" || true
case $out in
*42*) ;;
*) echo "unexpected: $out"; tail -5 /tmp/influxd.log; exit 1 ;;
esac
echo "influxdb: ok"
