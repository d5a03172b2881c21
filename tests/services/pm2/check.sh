#!/bin/sh
# Start the app under pm2-runtime (pm2's foreground mode for containers),
# ask it for its greeting over loopback, ask pm2's daemon over its unix
# socket (under pm2's home) for the app's state, and stop pm2 as a
# container stop would: the exit status says whether it worked.
set -eu
cd /opt/pm2-app
node_modules/.bin/pm2-runtime start app.js &
pid=$!
page=$(http-get 8081 /)
list=$(node_modules/.bin/pm2 jlist)
kill -TERM "$pid"
wait "$pid" || true
[ "$page" = "hello from pm2" ] || { echo "unexpected: $page"; exit 1; }
echo "$list" | grep -q '"name":"app"' || { echo "pm2 does not list the app"; exit 1; }
echo "$list" | grep -q '"status":"online"' || { echo "the app is not online"; exit 1; }
echo "pm2: ok"
