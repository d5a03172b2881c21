#!/bin/sh
# Start Node-RED on loopback with no settings, let check.js deploy a flow
# and read it back, stop Node-RED: the exit status says whether it worked.
set -eu
node-red --port 1880 >/tmp/node-red.log 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
status=0
node /usr/local/lib/check-node-red.js || status=$?
kill "$pid"
wait "$pid" || true
[ "$status" -eq 0 ] || { cat /tmp/node-red.log; exit 1; }
echo "node-red: ok"
