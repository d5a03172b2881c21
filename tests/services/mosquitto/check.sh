#!/bin/sh
# Start the broker as its package does, publish a retained message,
# receive it, stop the broker and find its persistence file: the exit
# status says whether the service worked.
set -eu
mosquitto -c /etc/mosquitto/mosquitto.conf -d
i=0
until mosquitto_pub -h 127.0.0.1 -t unroot/ready -n 2>/dev/null; do
	[ $i -lt 100 ] || { echo "mosquitto did not start"; exit 1; }
	sleep 0.1
	i=$((i + 1))
done
mosquitto_pub -h 127.0.0.1 -t unroot/t -r -m works
test "$(mosquitto_sub -h 127.0.0.1 -t unroot/t -C 1 -W 5)" = works
pid=$(cat /run/mosquitto/mosquitto.pid)
kill "$pid"
while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
test -s /var/lib/mosquitto/mosquitto.db
echo "mosquitto: ok"
