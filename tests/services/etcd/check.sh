#!/bin/sh
# Start etcd on loopback with its defaults (the member's data in
# ./default.etcd), put a key and get it back through the v3 JSON gateway,
# stop it with SIGTERM: the exit status says whether the service worked.
# Run as its quick start runs it, in / (the image's working directory).
set -eu
etcd --listen-client-urls http://127.0.0.1:2379 \
	--advertise-client-urls http://127.0.0.1:2379 >/tmp/etcd.log 2>&1 &
pid=$!
i=0
until http-get 2379 /health 2>/dev/null | grep -q '"health":"true"'; do
	i=$((i + 1))
	[ $i -lt 100 ] || { cat /tmp/etcd.log; exit 1; }
	sleep 0.2
done
# key "unroot", value "works", base64 as the gateway wants them
http-get 2379 /v3/kv/put '{"key":"dW5yb290","value":"d29ya3M="}' >/dev/null
got=$(http-get 2379 /v3/kv/range '{"key":"dW5yb290"}')
kill "$pid"
# etcd stops cleanly, then ends by the signal it was sent (status 143)
rc=0
wait "$pid" || rc=$?
[ $rc = 0 ] || [ $rc = 143 ] || { echo "etcd exited $rc"; cat /tmp/etcd.log; exit 1; }
echo "$got" | grep -q '"value":"d29ya3M="' || { echo "unexpected: $got"; exit 1; }
echo "etcd: ok"
