#!/bin/sh
# Start a redis server and a sentinel that monitors it, ask the sentinel
# for the master's address, stop both, and find the id the sentinel
# wrote into its configuration: the exit status says whether it worked.
set -eu
redis-server --port 6379 --bind 127.0.0.1 --save '' --daemonize no \
	--dir /tmp >/tmp/redis.log 2>&1 &
rpid=$!
redis-sentinel /etc/redis/sentinel.conf --daemonize no \
	--pidfile /run/sentinel/redis-sentinel.pid >/tmp/sentinel.log 2>&1 &
spid=$!
i=0
until addr=$(redis-cli -p 26379 sentinel get-master-addr-by-name mymaster 2>/dev/null) &&
	[ -n "$addr" ] || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
kill "$spid" "$rpid"
wait "$spid" || true
wait "$rpid" || true
case $addr in
*127.0.0.1*6379*) ;;
*) echo "unexpected: $addr"; tail -5 /tmp/sentinel.log; exit 1 ;;
esac
grep -q '^sentinel myid ' /etc/redis/sentinel.conf ||
	{ echo "the sentinel wrote no id into its configuration"; exit 1; }
echo "sentinel: ok"
