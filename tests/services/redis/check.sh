#!/bin/sh
# Start redis-server with Debian's configuration and a unix socket, then
# use it: the exit status says whether the service worked.
set -eu
sock=/run/redis/redis.sock
redis-server /etc/redis/redis.conf --daemonize yes --port 0 \
	--unixsocket "$sock" --unixsocketperm 770 \
	--pidfile /run/redis/redis-server.pid
i=0
while [ ! -S "$sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
redis-cli -s "$sock" set unroot works
test "$(redis-cli -s "$sock" get unroot)" = works
redis-cli -s "$sock" save
redis-cli -s "$sock" shutdown nosave || true
echo "redis: ok"
