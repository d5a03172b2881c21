#!/bin/sh
# Start verdaccio on loopback with no configuration, let check.js register
# a user and log in, stop verdaccio:
# the exit status says whether the registry worked.
set -eu
verdaccio --listen 127.0.0.1:4873 >/tmp/verdaccio.log 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
status=0
node /usr/local/lib/check-verdaccio.js || status=$?
kill "$pid"
wait "$pid" || true
[ "$status" -eq 0 ] || { cat /tmp/verdaccio.log; exit 1; }
echo "verdaccio: ok"
