#!/bin/sh
# Start dnsmasq as its init script does (it forks into the background),
# resolve a name it was given with dig over UDP on loopback, stop it: the
# exit status says whether it answered.
set -eu
dnsmasq -x /run/dnsmasq/dnsmasq.pid -u dnsmasq -7 /etc/dnsmasq.d,.dpkg-dist,.dpkg-old,.dpkg-new \
	--local-service --listen-address=127.0.0.1 --bind-interfaces \
	--no-resolv --address=/app.test/10.1.2.3
i=0
until [ -s /run/dnsmasq/dnsmasq.pid ] || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
answer=$(dig +short +tries=3 +time=1 @127.0.0.1 app.test A)
kill "$(cat /run/dnsmasq/dnsmasq.pid)"
[ "$answer" = 10.1.2.3 ] || { echo "unexpected: $answer"; exit 1; }
echo "dnsmasq: ok"
