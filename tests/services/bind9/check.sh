#!/bin/sh
# Start named as a container's entrypoint does: make the directory of its
# pid file and session key when it is missing (the package leaves that to
# tmpfiles.d, which no container runs) and give it to bind; named forks
# into the background and becomes bind (-u).  Resolve the package's
# localhost zone with dig over UDP on loopback, stop it: the exit status
# says whether it answered.
set -eu
[ -d /run/named ] || install -d -o bind -g bind -m 775 /run/named
named -u bind -4
i=0
until [ -s /run/named/named.pid ] || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
answer=$(dig +short +tries=3 +time=1 @127.0.0.1 localhost A)
kill "$(cat /run/named/named.pid)"
i=0
while [ -e /run/named/named.pid ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ "$answer" = 127.0.0.1 ] || { echo "unexpected: $answer"; exit 1; }
echo "bind9: ok"
