#!/bin/sh
# Start the broker through the package's wrapper, wait until it serves,
# ask it for its node's status through rabbitmqctl, and stop it: the
# exit status says whether the service worked.
set -eu
rabbitmq-server &
server=$!
up=
for _ in $(seq 90); do
	kill -0 "$server" 2>/dev/null || break
	if rabbitmqctl -q await_startup >/dev/null 2>&1; then up=1; break; fi
	sleep 1
done
[ -n "$up" ] || { echo "the broker did not start"; cat /var/log/rabbitmq/startup_* || true; exit 1; }
rabbitmqctl -q list_queues name messages
rabbitmqctl -q stop
wait "$server" || true
echo "rabbitmq: ok"
