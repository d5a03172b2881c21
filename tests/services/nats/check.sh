#!/bin/sh
# Start nats-server with JetStream and its monitoring port, ask the
# monitor for JetStream's state (its store directory in use), stop it:
# the exit status says whether it served.
set -eu
nats-server -a 127.0.0.1 -p 4222 -m 8222 -js -P /var/run/nats-server.pid &
pid=$!
# the monitor can answer before JetStream is up (not 200, or no store
# yet): asked again for up to 10 s
i=0 page=
while [ $i -lt 50 ]; do
	page=$(http-get 8222 /jsz || true)
	case $page in *'"store_dir"'*) break ;; esac
	sleep 0.2
	i=$((i + 1))
done
kill "$pid"
wait "$pid" || true
case $page in
*'"store_dir"'*) ;;
*) echo "unexpected: $page" | head -5; exit 1 ;;
esac
echo "nats: ok"
