#!/bin/sh
# Start the server, ask it for its greeting over loopback, stop it, and
# find the request in its log: the exit status says whether it worked.
set -eu
node /opt/node-app/server.js &
pid=$!
page=$(http-get 8080 /hello)
kill "$pid"
wait "$pid" || true
[ "$page" = "hello from express" ] || { echo "unexpected: $page"; exit 1; }
grep -q 'GET /hello' /var/log/node-app/access.log
test -s /var/cache/node-app/greeting.json
echo "node: ok"
