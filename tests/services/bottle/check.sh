#!/bin/sh
# Start the app, store a note in the volume and read it back, stop the
# app: the exit status says whether the service worked.
set -eu
python3 /opt/notes/app.py &
pid=$!
http-get 8080 /notes "unroot works" >/dev/null
notes=$(http-get 8080 /notes)
kill "$pid"
wait "$pid" || true
[ "$notes" = "unroot works" ] || { echo "unexpected: $notes"; exit 1; }
echo "bottle: ok"
