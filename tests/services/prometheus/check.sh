#!/bin/sh
# Start prometheus as its unit does (its own defaults: the TSDB in
# /var/lib/prometheus/metrics2), on loopback; wait until it is ready,
# query it, stop it with SIGTERM: the exit status says whether the
# service worked and shut down cleanly.
set -eu
prometheus --config.file=/etc/prometheus/prometheus.yml \
	--web.listen-address=127.0.0.1:9090 >/tmp/prometheus.log 2>&1 &
pid=$!
# /-/ready answers 503 until the TSDB and the configuration are loaded
i=0
until http-get 9090 /-/ready >/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || { cat /tmp/prometheus.log; exit 1; }
	sleep 0.2
done
answer=$(http-get 9090 '/api/v1/query?query=1%2B1')
kill "$pid"
wait "$pid" || { echo "prometheus exited $?"; cat /tmp/prometheus.log; exit 1; }
echo "$answer" | grep -q '"status":"success"' || { echo "unexpected: $answer"; exit 1; }
echo "prometheus: ok"
