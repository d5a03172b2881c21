#!/bin/sh
# Start redis-server with its data in the volume and no port (a unix
# socket in the volume), store a key, save, and find the dump: the exit
# status says whether the service worked.
set -eu
sock=/data/redis.sock
redis-server --dir /data --port 0 --unixsocket "$sock" --daemonize yes \
	--pidfile /data/redis.pid --logfile /data/redis.log
i=0
while [ ! -S "$sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
redis-cli -s "$sock" set unroot works >/dev/null
test "$(redis-cli -s "$sock" get unroot)" = works
redis-cli -s "$sock" save >/dev/null
redis-cli -s "$sock" shutdown nosave || true
test -s /data/dump.rdb
echo "gosu: ok"
