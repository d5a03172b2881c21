#!/bin/sh
# Start the server, ask it for its greeting over loopback, stop it, and
# find the request in its log: the exit status says whether it worked.
set -eu
java -cp /opt/hello Hello &
pid=$!
page=$(http-get 8080 /hello)
kill "$pid"
wait "$pid" || true
[ "$page" = "hello from the jvm" ] || { echo "unexpected: $page"; exit 1; }
grep -q 'GET /hello' /var/log/hello/requests.log
echo "jvm: ok"
