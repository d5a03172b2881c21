#!/bin/sh
# Start hypnotoad in the foreground, ask the app for its page, stop it
# gracefully: the exit status says whether the service worked.
set -eu
hypnotoad -f /opt/hello/app.pl &
pid=$!
page=$(http-get 8080 /)
kill -QUIT "$pid"
wait "$pid" || true
[ "$page" = "hello" ] || { echo "unexpected: $page"; exit 1; }
echo "mojo: ok"
